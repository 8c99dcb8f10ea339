package io.weft.loop.iouring;

import io.weft.loop.core.EventLoop;

/** Prints what {@link IoUring} and the provider say, for {@link IoUringAvailabilityTest}'s child JVMs. */
public final class AvailabilityMain {
    private AvailabilityMain() {
    }

    public static void main(String[] args) {
        IoUringPollerProvider provider = new IoUringPollerProvider();
        System.out.println("available=" + IoUring.isAvailable() + "," + provider.isAvailable());
        System.out.println("cause=" + provider.unavailabilityCause().orElse(""));
        try (EventLoop loop = EventLoop.create()) {
            System.out.println("default=" + loop.pollerName());
        }
    }
}

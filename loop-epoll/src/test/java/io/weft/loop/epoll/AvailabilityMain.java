package io.weft.loop.epoll;

import io.weft.loop.core.EventLoop;

/** Prints what {@link Epoll} and the provider say, for {@link EpollAvailabilityTest}'s child JVMs. */
public final class AvailabilityMain {
    private AvailabilityMain() {
    }

    public static void main(String[] args) {
        EpollPollerProvider provider = new EpollPollerProvider();
        System.out.println("available=" + Epoll.isAvailable() + "," + provider.isAvailable());
        System.out.println("cause=" + provider.unavailabilityCause().orElse(""));
        try {
            provider.newPoller().close();
            System.out.println("newPoller=ok");
        } catch (Exception e) {
            System.out.println("newPoller=" + e.getClass().getSimpleName() + ": " + e.getMessage());
        }
        try (EventLoop loop = EventLoop.create()) {
            System.out.println("default=" + loop.pollerName());
        }
    }
}

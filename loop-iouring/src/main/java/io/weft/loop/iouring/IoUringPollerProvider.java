package io.weft.loop.iouring;

import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.iouring.internal.IoUringPoller;
import java.io.IOException;
import java.util.Optional;

/**
 * The Linux io_uring poller, found by {@link java.util.ServiceLoader}. For now it ranks below epoll
 * (priority 5 against epoll's 10 and NIO's 0), so epoll stays the default where both are available;
 * {@code -Dweft.poller=iouring} or {@code EventLoop.builder().poller("iouring")} selects it.
 *
 * <p>It watches raw file descriptors ({@link io.weft.loop.core.spi.PollSource#ofFd}) through
 * one-shot poll requests on a ring, level-triggered like epoll; {@code java.nio} channels are refused
 * with an {@link UnsupportedOperationException} naming the pollers that take them. The descriptor
 * stays the caller's: close it after closing its watcher.
 *
 * {@snippet :
 * try (EventLoop loop = EventLoop.builder().poller("iouring").build()) {
 *     Watcher watcher = loop.watch(PollSource.ofFd(fd), Interest.READABLE, (w, ready) -> readWhatIsThere(fd));
 *     loop.run();
 * }
 * }
 */
public final class IoUringPollerProvider implements PollerProvider {

    /** The name {@code -Dweft.poller=iouring} selects. */
    public static final String NAME = "iouring";

    /** Makes the provider; {@link java.util.ServiceLoader} calls it. Probes nothing. */
    public IoUringPollerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    /** 5: above NIO, below epoll, until io_uring passes every contract suite epoll passes. */
    @Override
    public int priority() {
        return 5;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        try {
            Throwable cause = IoUring.unavailabilityCause();
            return cause == null ? Optional.empty() : Optional.of(String.valueOf(cause.getMessage()));
        } catch (Throwable t) {
            return Optional.of("the io_uring availability check failed: " + t);
        }
    }

    @Override
    public Poller newPoller() throws IOException {
        IoUring.ensureAvailability();
        return IoUringPoller.open();
    }
}

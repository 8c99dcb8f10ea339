package io.weft.loop.epoll;

import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import io.weft.loop.epoll.internal.EpollPoller;
import java.io.IOException;
import java.util.Optional;

/**
 * The Linux epoll poller, found by {@link java.util.ServiceLoader}: on the class or module path it
 * outranks the portable NIO poller (priority 10 against 0); {@code -Dweft.poller=epoll} or {@code
 * =nio} overrides the choice.
 *
 * <p>It watches raw file descriptors ({@link io.weft.loop.core.spi.PollSource#ofFd}), like libuv's
 * {@code uv_poll_t}, and the JDK's non-blocking {@code java.nio} channels through their fds, which
 * takes the JVM flag {@code --add-exports java.base/sun.nio.ch=<this module, or ALL-UNNAMED>}
 * (without it, watching a channel throws an {@link UnsupportedOperationException} naming the flag). The descriptor stays the caller's: the poller neither changes its
 * flags nor closes it, and the loop stops watching it before the watcher's close returns, so close
 * the fd after closing its watcher.
 *
 * {@snippet :
 * try (EventLoop loop = EventLoop.builder().poller("epoll").build()) {
 *     int fd = openSomeNonBlockingFd(); // an eventfd, a socket, a pipe, a tty...
 *     Watcher watcher = loop.watch(PollSource.ofFd(fd), Interest.READABLE, (w, ready) -> {
 *         readWhatIsThere(fd);          // level-triggered: called again while data is left
 *     });
 *     loop.run();
 * }
 * }
 *
 * <p><b>TCP.</b> {@link EpollTcpBackendProvider} gives epoll loops a native backend over raw socket
 * fds, so {@code TcpServer} and {@code TcpConnection} run on them: reads and writes go between the
 * kernel and the connection's direct buffers with no copy.
 *
 * <p><b>System properties.</b> {@code weft.epoll.blockSigprof=true} blocks SIGPROF while the loop
 * thread waits in epoll (libuv's {@code UV_LOOP_BLOCK_SIGNAL}), so a sampling profiler does not
 * keep ending the wait; the signal is delivered when the wait returns.
 */
public final class EpollPollerProvider implements PollerProvider {

    /** The name {@code -Dweft.poller=epoll} selects. */
    public static final String NAME = "epoll";

    /** The system property that blocks SIGPROF during the wait ({@code true} or {@code false}). */
    public static final String BLOCK_SIGPROF = "weft.epoll.blockSigprof";

    /** Makes the provider; {@link java.util.ServiceLoader} calls it. Probes nothing. */
    public EpollPollerProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int priority() {
        return 10;
    }

    @Override
    public Optional<String> unavailabilityCause() {
        try {
            Throwable cause = Epoll.unavailabilityCause();
            return cause == null ? Optional.empty() : Optional.of(String.valueOf(cause.getMessage()));
        } catch (Throwable t) {
            return Optional.of("the epoll availability check failed: " + t);
        }
    }

    @Override
    public Poller newPoller() throws IOException {
        Epoll.ensureAvailability();
        return EpollPoller.open(new EpollPoller.Options(Boolean.getBoolean(BLOCK_SIGPROF), true));
    }
}

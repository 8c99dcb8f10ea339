package io.weft.loop.iouring;

import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.core.net.spi.TcpBackendProvider;
import io.weft.loop.epoll.internal.EpollTcpBackend;
import io.weft.loop.iouring.internal.IoUringTcpBackend;

/**
 * TCP for loops on the {@code iouring} poller, found by {@link java.util.ServiceLoader}: sockets
 * driven by completions on the ring of the loop that watches them (multishot accept, multishot
 * receive into a provided-buffer ring, sends from staging memory, cancellation on close).
 *
 * <p>Where the kernel lacks what that needs (Linux 6.3+ with provided-buffer rings), or with {@code
 * -Dweft.iouring.tcp=readiness}, it gives loop-epoll's readiness-based sockets instead (read and
 * written with {@code recv}/{@code sendmsg} when the ring's poll requests report them ready), and
 * logs why once.
 */
public final class IoUringTcpBackendProvider implements TcpBackendProvider {
    /** The system property that picks the TCP path: {@code completions} (the default) or {@code readiness}. */
    private static final String TCP_PROPERTY = "weft.iouring.tcp";

    /** Makes the provider; {@link java.util.ServiceLoader} calls it. Probes nothing. */
    public IoUringTcpBackendProvider() {
    }

    @Override
    public String pollerName() {
        return IoUringPollerProvider.NAME;
    }

    /**
     * The completion-based backend, or the readiness-based one with the reason logged; shared by
     * every iouring loop.
     *
     * @throws IllegalStateException if io_uring is unavailable here, with the reason
     */
    @Override
    public TcpBackend create() {
        IoUring.ensureAvailability();
        String mode = System.getProperty(TCP_PROPERTY, "completions");
        String reason = switch (mode) {
            case "completions" -> IoUringTcpBackend.unsupportedReason();
            case "readiness" -> "-D" + TCP_PROPERTY + "=readiness";
            default -> throw new IllegalStateException("-D" + TCP_PROPERTY + "=" + mode
                    + " is not a TCP path of the iouring poller; use completions or readiness");
        };
        if (reason == null) {
            return IoUringTcpBackend.INSTANCE;
        }
        System.getLogger(IoUringTcpBackendProvider.class.getName()).log(System.Logger.Level.INFO,
                "iouring loops use readiness-based TCP (poll requests, then recv/sendmsg): " + reason);
        return EpollTcpBackend.INSTANCE;
    }
}

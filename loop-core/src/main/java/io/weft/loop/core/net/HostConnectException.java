package io.weft.loop.core.net;

import java.net.ConnectException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A {@link HostConnector} connect that failed after the host resolved, or timed out: names the
 * host, each address tried and why each failed (each cause is also a suppressed exception).
 */
public final class HostConnectException extends ConnectException {
    private static final long serialVersionUID = 1L;

    /**
     * One address tried, and why it failed: the connect's own exception, or null when it had no
     * answer yet when the connect timed out (or was not tried by then).
     *
     * @param address the address tried
     * @param cause why the connect to it failed, or null when it had no answer by the timeout
     */
    public record Attempt(InetSocketAddress address, Throwable cause) {
    }

    /** The host name connected to. */
    private final String host;
    private final transient List<Attempt> attempts;
    /** Whether the connect timeout ended the connect. */
    private final boolean timedOut;

    HostConnectException(String host, int port, List<Attempt> attempts, Duration timedOutAfter) {
        super(message(host, port, attempts, timedOutAfter));
        this.host = host;
        this.attempts = List.copyOf(attempts);
        this.timedOut = timedOutAfter != null;
        for (Attempt attempt : attempts) {
            if (attempt.cause() != null) {
                addSuppressed(attempt.cause());
            }
        }
    }

    /** {@return the host name connected to} */
    public String host() {
        return host;
    }

    /** {@return the addresses tried, in the order they were started} */
    public List<Attempt> attempts() {
        return attempts;
    }

    /** {@return whether the connect timeout ended it (else every address failed)} */
    public boolean timedOut() {
        return timedOut;
    }

    private static String message(String host, int port, List<Attempt> attempts, Duration timedOutAfter) {
        String what = "connect to " + host + ":" + port + (timedOutAfter != null ? " timed out after " + timedOutAfter : " failed");
        if (attempts.isEmpty()) {
            return what + " while resolving " + host;
        }
        return what + ": " + attempts.stream()
                .map(a -> text(a.address()) + " " + (a.cause() == null ? "had no answer" : "failed (" + a.cause() + ")"))
                .collect(Collectors.joining("; "));
    }

    private static String text(InetSocketAddress address) {
        String ip = address.getAddress().getHostAddress();
        return (address.getAddress() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + address.getPort();
    }
}

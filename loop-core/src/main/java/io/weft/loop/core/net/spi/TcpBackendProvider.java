package io.weft.loop.core.net.spi;

/**
 * A factory of the {@link TcpBackend} whose sockets one poller can watch, found with {@link
 * java.util.ServiceLoader} and matched to a loop by {@link #pollerName()}. loop-core provides the
 * one for {@code nio}; a poller module that has sockets of its own provides one for its poller
 * ({@code provides io.weft.loop.core.net.spi.TcpBackendProvider with ...} in its module-info, or a
 * {@code META-INF/services} entry on the class path).
 *
 * <p>A provider must be cheap to construct and must not throw from {@link #pollerName()}.
 */
public interface TcpBackendProvider {

    /** {@return the {@link io.weft.loop.core.spi.PollerProvider#name()} of the poller this backend serves} */
    String pollerName();

    /**
     * The backend; called once per process for the first TCP use on a loop of that poller, from
     * any thread. The result is shared by every loop of that poller, so it must be thread-safe.
     *
     * @return the thread-safe backend every loop of that poller shares
     * @throws IllegalStateException if the backend cannot run here, with the reason
     */
    TcpBackend create();
}

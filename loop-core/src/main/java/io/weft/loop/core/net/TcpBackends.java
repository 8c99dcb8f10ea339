package io.weft.loop.core.net;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.core.net.spi.TcpBackendProvider;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * Finds the {@link TcpBackend} for a loop's poller: the {@link TcpBackendProvider} whose {@link
 * TcpBackendProvider#pollerName()} is the loop's {@link EventLoop#pollerName()}, looked up once per
 * poller name and shared. Safe from any thread.
 */
final class TcpBackends {
    private static final ConcurrentMap<String, TcpBackend> BY_POLLER = new ConcurrentHashMap<>();

    private TcpBackends() {
    }

    /**
     * The backend whose sockets {@code loop}'s poller can watch.
     *
     * @throws UnsupportedOperationException if no provider serves that poller, saying what to add
     */
    static TcpBackend of(EventLoop loop) {
        return BY_POLLER.computeIfAbsent(loop.pollerName(), TcpBackends::load);
    }

    private static TcpBackend load(String pollerName) {
        for (TcpBackendProvider provider : ServiceLoader.load(TcpBackendProvider.class)) {
            if (provider.pollerName().equals(pollerName)) {
                return provider.create();
            }
        }
        throw new UnsupportedOperationException("no TCP backend for the '" + pollerName + "' poller: put a module"
                + " that provides " + TcpBackendProvider.class.getName() + " for it on the module or class path,"
                + " or run the loop on a poller that has one (nio, epoll)");
    }
}

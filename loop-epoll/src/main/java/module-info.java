/**
 * The Linux epoll poller and native TCP backend for Weft's event loop, called through {@code java.lang.foreign}.
 */
@SuppressWarnings("module") // the qualified export's target, loop-iouring, is built after this module
module io.weft.loop.epoll {
    requires transitive io.weft.loop.core;

    exports io.weft.loop.epoll;
    // loop-iouring reuses the native layer (Linker, errno, fd and socket calls) and the TCP backend.
    exports io.weft.loop.epoll.internal to io.weft.loop.iouring;

    provides io.weft.loop.core.spi.PollerProvider with io.weft.loop.epoll.EpollPollerProvider;
    provides io.weft.loop.core.net.spi.TcpBackendProvider with io.weft.loop.epoll.EpollTcpBackendProvider;
}

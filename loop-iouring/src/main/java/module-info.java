/**
 * A Linux poller for Weft's event loop on io_uring, set up and driven through {@code java.lang.foreign}
 * (no liburing, no JNI), with TCP sockets driven by completions on the same ring (loop-epoll's native
 * sockets make, bind and close them).
 */
module io.weft.loop.iouring {
    requires transitive io.weft.loop.core;
    requires io.weft.loop.epoll;

    exports io.weft.loop.iouring;

    provides io.weft.loop.core.spi.PollerProvider with io.weft.loop.iouring.IoUringPollerProvider;
    provides io.weft.loop.core.net.spi.TcpBackendProvider with io.weft.loop.iouring.IoUringTcpBackendProvider;
}

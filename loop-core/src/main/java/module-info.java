/**
 * Weft's event loop: timers, callbacks and I/O watchers run by one thread, fed by a {@link
 * io.weft.loop.core.spi.Poller} found through {@link java.util.ServiceLoader}; TCP on the loop over
 * a {@link io.weft.loop.core.net.spi.TcpBackend} found the same way, for the loop's poller by name.
 */
@SuppressWarnings("module") // the qualified export's target, loop-vthreads, is built after this module
module io.weft.loop.core {
    exports io.weft.loop.core;
    exports io.weft.loop.core.spi;
    exports io.weft.loop.core.net;
    exports io.weft.loop.core.net.spi;
    exports io.weft.loop.core.net.tls;
    exports io.weft.loop.core.exec;
    exports io.weft.loop.core.signal;
    // Not API: per-loop state of Weft's own layers (LoopLocals), for the modules built on the core.
    exports io.weft.loop.core.internal to io.weft.loop.vthreads;

    // sun.misc.Signal: how Java code handles a process signal (io.weft.loop.core.signal).
    requires jdk.unsupported;

    uses io.weft.loop.core.spi.PollerProvider;
    uses io.weft.loop.core.net.spi.TcpBackendProvider;

    provides io.weft.loop.core.spi.PollerProvider with io.weft.loop.core.nio.NioPollerProvider;
    provides io.weft.loop.core.net.spi.TcpBackendProvider with io.weft.loop.core.nio.NioTcpBackendProvider;
}

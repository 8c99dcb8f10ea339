/**
 * Weft's event loop: timers, callbacks and I/O watchers run by one thread, fed by a {@link
 * io.weft.loop.core.spi.Poller} found through {@link java.util.ServiceLoader}.
 */
module io.weft.loop.core {
    exports io.weft.loop.core;
    exports io.weft.loop.core.spi;
    exports io.weft.loop.core.net;
    exports io.weft.loop.core.net.tls;

    uses io.weft.loop.core.spi.PollerProvider;

    provides io.weft.loop.core.spi.PollerProvider with io.weft.loop.core.nio.NioPollerProvider;
}

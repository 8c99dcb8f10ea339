package io.weft.loop.core.nio;

import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.core.net.spi.TcpBackendProvider;

/** TCP on {@code java.nio} channels for loops on the {@code nio} poller. */
public final class NioTcpBackendProvider implements TcpBackendProvider {

    @Override
    public String pollerName() {
        return NioPollerProvider.NAME;
    }

    @Override
    public TcpBackend create() {
        return NioTcpBackend.INSTANCE;
    }
}

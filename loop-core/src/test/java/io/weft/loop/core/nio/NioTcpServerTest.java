package io.weft.loop.core.nio;

import io.weft.loop.core.net.TcpServerContract;

class NioTcpServerTest extends TcpServerContract {
    @Override
    protected String pollerName() {
        return NioPollerProvider.NAME;
    }
}

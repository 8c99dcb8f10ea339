package io.weft.loop.core.nio;

import io.weft.loop.core.net.TcpContract;

class NioTcpTest extends TcpContract {
    @Override
    protected String pollerName() {
        return NioPollerProvider.NAME;
    }
}

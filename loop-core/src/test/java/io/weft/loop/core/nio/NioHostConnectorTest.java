package io.weft.loop.core.nio;

import io.weft.loop.core.net.HostConnectorContract;

/** Connecting by host name on the NIO backend. */
class NioHostConnectorTest extends HostConnectorContract {
    @Override
    protected String pollerName() {
        return NioPollerProvider.NAME;
    }
}

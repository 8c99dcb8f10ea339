package io.weft.loop.core.nio;

import io.weft.loop.core.net.tls.TlsContract;

class NioTlsTest extends TlsContract {
    @Override
    protected String pollerName() {
        return NioPollerProvider.NAME;
    }
}

package io.weft.loop.epoll.internal;

import io.weft.loop.testkit.TlsContract;
import io.weft.loop.epoll.EpollPollerProvider;

/** The TLS contract on the native epoll backend, unchanged. */
class EpollTlsTest extends TlsContract {
    @Override
    protected String pollerName() {
        return EpollPollerProvider.NAME;
    }
}

package io.weft.loop.vthreads;

/** The blocking TLS contract on the epoll poller. */
class EpollBlockingTlsTest extends BlockingTlsContract {
    @Override
    protected String pollerName() {
        return "epoll";
    }
}

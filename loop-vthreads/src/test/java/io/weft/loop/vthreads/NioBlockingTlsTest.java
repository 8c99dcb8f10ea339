package io.weft.loop.vthreads;

/** The blocking TLS contract on the nio poller. */
class NioBlockingTlsTest extends BlockingTlsContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

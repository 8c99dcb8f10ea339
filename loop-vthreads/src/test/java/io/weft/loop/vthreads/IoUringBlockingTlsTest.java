package io.weft.loop.vthreads;

/** The blocking TLS contract on the iouring poller. */
class IoUringBlockingTlsTest extends BlockingTlsContract {
    @Override
    protected String pollerName() {
        return "iouring";
    }
}

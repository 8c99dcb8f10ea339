package io.weft.loop.testkit;

/** The TLS contract on loop-core's java.nio backend. */
class NioTlsTest extends TlsContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

package io.weft.loop.testkit;

/** The TCP server contract on loop-core's java.nio backend. */
class NioTcpServerTest extends TcpServerContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

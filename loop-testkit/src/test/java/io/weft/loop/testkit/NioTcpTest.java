package io.weft.loop.testkit;

/** The TCP contract on loop-core's java.nio backend. */
class NioTcpTest extends TcpContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

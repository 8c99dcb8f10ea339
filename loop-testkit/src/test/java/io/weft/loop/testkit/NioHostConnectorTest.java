package io.weft.loop.testkit;

/** Connecting by host name on loop-core's java.nio backend. */
class NioHostConnectorTest extends HostConnectorContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

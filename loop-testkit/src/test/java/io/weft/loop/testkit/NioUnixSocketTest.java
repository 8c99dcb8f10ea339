package io.weft.loop.testkit;

/** The Unix domain socket contract on loop-core's java.nio backend. */
class NioUnixSocketTest extends UnixSocketContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

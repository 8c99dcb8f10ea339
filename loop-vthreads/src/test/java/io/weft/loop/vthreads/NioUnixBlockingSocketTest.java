package io.weft.loop.vthreads;

/** The blocking Unix domain socket contract on the nio poller. */
class NioUnixBlockingSocketTest extends UnixBlockingSocketContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

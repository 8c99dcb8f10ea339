package io.weft.loop.vthreads;

/** The BlockingSocket contract on the portable NIO poller. */
class NioBlockingSocketTest extends BlockingSocketContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

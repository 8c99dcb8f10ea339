package io.weft.loop.vthreads;

/** The VirtualThreads contract on the portable NIO poller. */
class NioVirtualThreadsTest extends VirtualThreadsContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

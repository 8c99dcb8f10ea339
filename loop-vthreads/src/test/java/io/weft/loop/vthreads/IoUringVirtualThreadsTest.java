package io.weft.loop.vthreads;

/** The VirtualThreads contract on the io_uring poller. */
class IoUringVirtualThreadsTest extends VirtualThreadsContract {
    @Override
    protected String pollerName() {
        return "iouring";
    }
}

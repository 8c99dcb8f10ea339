package io.weft.loop.vthreads;

/** The VirtualThreads contract on the epoll poller. */
class EpollVirtualThreadsTest extends VirtualThreadsContract {
    @Override
    protected String pollerName() {
        return "epoll";
    }
}

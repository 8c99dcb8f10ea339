package io.weft.loop.vthreads;

/** The BlockingSocket contract on the epoll poller and its native sockets. */
class EpollBlockingSocketTest extends BlockingSocketContract {
    @Override
    protected String pollerName() {
        return "epoll";
    }
}

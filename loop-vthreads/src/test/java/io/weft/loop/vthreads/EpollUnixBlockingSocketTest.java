package io.weft.loop.vthreads;

/** The blocking Unix domain socket contract on the epoll poller. */
class EpollUnixBlockingSocketTest extends UnixBlockingSocketContract {
    @Override
    protected String pollerName() {
        return "epoll";
    }
}

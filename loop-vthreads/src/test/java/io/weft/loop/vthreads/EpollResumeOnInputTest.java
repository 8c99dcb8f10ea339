package io.weft.loop.vthreads;

/** Waiting for input without a thread, on the epoll poller and its native sockets. */
class EpollResumeOnInputTest extends ResumeOnInputContract {
    @Override
    protected String pollerName() {
        return "epoll";
    }
}

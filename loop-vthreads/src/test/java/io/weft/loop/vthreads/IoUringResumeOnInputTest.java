package io.weft.loop.vthreads;

/** Waiting for input without a thread, on the io_uring poller and its native sockets. */
class IoUringResumeOnInputTest extends ResumeOnInputContract {
    @Override
    protected String pollerName() {
        return "iouring";
    }
}

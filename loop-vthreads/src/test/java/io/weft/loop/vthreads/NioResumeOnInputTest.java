package io.weft.loop.vthreads;

/** Waiting for input without a thread, on the portable NIO poller. */
class NioResumeOnInputTest extends ResumeOnInputContract {
    @Override
    protected String pollerName() {
        return "nio";
    }
}

package io.weft.loop.vthreads;

/** The BlockingSocket contract on the io_uring poller and its native sockets. */
class IoUringBlockingSocketTest extends BlockingSocketContract {
    @Override
    protected String pollerName() {
        return "iouring";
    }
}

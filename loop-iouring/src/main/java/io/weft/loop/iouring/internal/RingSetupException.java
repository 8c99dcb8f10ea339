package io.weft.loop.iouring.internal;

import io.weft.loop.epoll.internal.Errno;
import java.io.IOException;

/** {@code io_uring_setup} failed: the kernel refused to create a ring, with the errno it gave. */
public final class RingSetupException extends IOException {
    private static final long serialVersionUID = 1L;

    private final int errno;

    RingSetupException(String call, int errno) {
        super(Errno.exception(call, errno).getMessage());
        this.errno = errno;
    }

    /** The errno {@code io_uring_setup} failed with. */
    public int errno() {
        return errno;
    }
}

package io.weft.loop.iouring.internal;

import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.epoll.internal.EpollTcpBackend;
import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.FdCalls;
import io.weft.loop.epoll.internal.Native;
import io.weft.loop.epoll.internal.SocketCalls;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.SocketAddress;

/**
 * A listening socket that accepts through one multishot {@code IORING_OP_ACCEPT} on its loop's ring
 * while the loop wants connections: each completion queues an accepted fd (non-blocking,
 * close-on-exec), the listener is readable while the queue is not empty, and {@link #accept} takes
 * one and applies the per-connection options. When the request ends (no {@code IORING_CQE_F_MORE})
 * it is queued again at the next poll; when it ends with an error (EMFILE, ENFILE...), the error is
 * readable and thrown by the next {@code accept} ({@code FdExhaustedException} for the two), and
 * the request is queued again only after that, if still wanted: a server backing off stops wanting.
 * With no request in flight an accept is a plain {@code accept4}, so shedding works as with epoll.
 * After EMFILE or ENFILE the listener waits for a connection (a one-shot poll) before accepting again,
 * with a plain {@code accept4}, until one succeeds: a multishot accept takes an fd before it looks for
 * a connection, so it would fail at once, and a server backing off would wake for nothing.
 *
 * <p><b>Bounded.</b> The kernel accepts for as long as the request lives, however far the loop is
 * behind; each accepted connection is an fd. Once {@link #MAX_QUEUED} wait here the request is
 * cancelled, and it is queued again only when {@code accept} has taken the queue down to half: the
 * rest wait in the kernel's backlog, as they do for a readiness poller, and a flood of connections
 * cannot use up the process's fds.
 *
 * <p>loop-epoll's listener ({@code delegate}) owns the fd. Loop thread only.
 */
final class IoUringServerSocket extends Completable implements ServerSocketHandle {
    private static final int NONE = 0;
    private static final int ACCEPTING = 1;
    private static final int POLLING = 2;
    private static final int CANCELLING = 3;
    private static final int ACCEPT_FLAGS = SocketCalls.SOCK_NONBLOCK | SocketCalls.SOCK_CLOEXEC;
    /** Accepted connections that may wait for the loop before the multishot accept is cancelled. */
    static final int MAX_QUEUED = 128;

    private final ServerSocketHandle delegate;
    private final SocketOptions options;
    private final MemorySegment errno = Native.newErrnoSegment(Arena.ofAuto());
    private int[] accepted = new int[16];
    private int head;
    private int count;
    private int state = NONE;
    private int acceptError;
    /** The process or system ran out of fds: wait for a connection before accepting. */
    private boolean exhausted;
    /** The poll saw a connection waiting: {@code accept} takes it with a plain accept4. */
    private boolean connectionWaiting;

    IoUringServerSocket(ServerSocketHandle delegate, SocketOptions options) {
        super(((PollSource.Fd) delegate.source()).fd());
        this.delegate = delegate;
        this.options = options;
    }

    @Override
    public PollSource source() {
        return delegate.source();
    }

    @Override
    boolean completionMode() {
        return true;
    }

    @Override
    int readyOps() {
        return count > 0 || acceptError != 0 || connectionWaiting ? SocketDriver.READABLE : 0;
    }

    @Override
    void interestChanged(int before) throws IOException {
        if ((wanted & SocketDriver.READABLE) != 0) {
            start();
        } else {
            released();
        }
    }

    @Override
    void released() throws IOException {
        if (state == ACCEPTING || state == POLLING) {
            driver.cancel(this, state == ACCEPTING ? SocketDriver.ACCEPT : SocketDriver.POLL);
            state = CANCELLING;
        }
    }

    @Override
    void rearm() throws IOException {
        if ((wanted & SocketDriver.READABLE) != 0) {
            start();
        }
    }

    private void start() throws IOException {
        if (state == NONE && !closed && acceptError == 0 && !connectionWaiting && count <= MAX_QUEUED / 2) {
            if (exhausted) {
                driver.queuePollIn(this);
                state = POLLING;
            } else {
                driver.queueAccept(this, ACCEPT_FLAGS);
                state = ACCEPTING;
            }
        }
    }

    @Override
    boolean idle() {
        return state == NONE;
    }

    @Override
    void complete(int kind, int res, int flags) throws IOException {
        if (kind == SocketDriver.POLL) {
            state = NONE;
            if (res > 0 && !closed) {
                connectionWaiting = true;
                driver.list(this);
            } else if (!closed) {
                driver.rearmLater(this); // cancelled, or refused: queued again if still wanted
            }
            return;
        }
        driver.acceptCompletions++;
        boolean more = (flags & UringLayouts.CQE_F_MORE) != 0;
        if (!more) {
            state = NONE;
        }
        if (res >= 0) {
            if (closed) {
                FdCalls.close(errno, res);
            } else {
                push(res);
                if (count >= MAX_QUEUED && state == ACCEPTING) {
                    released(); // full: the next connections wait in the kernel's backlog
                }
            }
        } else if (res != -UringLayouts.ECANCELED && !closed) {
            acceptError = -res; // queued again once accept() has thrown it
            exhausted = acceptError == Errno.EMFILE || acceptError == Errno.ENFILE;
            driver.list(this);
            return;
        }
        if (!more && !closed) {
            driver.rearmLater(this);
        }
        driver.list(this);
    }

    private void push(int fd) {
        if (count == accepted.length) {
            int[] bigger = new int[count * 2];
            for (int i = 0; i < count; i++) {
                bigger[i] = accepted[(head + i) % accepted.length];
            }
            accepted = bigger;
            head = 0;
        }
        accepted[(head + count) % accepted.length] = fd;
        count++;
    }

    private int pop() {
        int fd = accepted[head];
        head = (head + 1) % accepted.length;
        count--;
        return fd;
    }

    @Override
    public SocketHandle accept() throws IOException {
        if (closed) {
            throw new IOException("listening socket fd=" + fd + " is closed");
        }
        if (count > 0) {
            int accepted = pop();
            if (count == MAX_QUEUED / 2 && state == NONE && driver != null) {
                driver.rearmLater(this); // down to half: accept through the ring again, if still wanted
            }
            return adopt(EpollTcpBackend.INSTANCE.adoptAccepted(accepted, options));
        }
        if (acceptError != 0) {
            int error = acceptError;
            acceptError = 0;
            if (driver != null) {
                driver.rearmLater(this); // if the loop still wants connections then
            }
            throw Errno.socketException("accept(fd=" + fd + ", multishot)", error);
        }
        if (state == NONE) {
            boolean waited = connectionWaiting;
            connectionWaiting = false;
            SocketHandle plain = delegate.accept(); // nothing in flight: the kernel's queue, directly
            if (driver != null) {
                driver.rearmLater(this); // a poll or an accept again, if still wanted
            }
            if (plain == null) {
                return null;
            }
            if (waited) {
                exhausted = false; // the poll's connection got an fd: accept through the ring again
            }
            return adopt(plain);
        }
        return null;
    }

    private static SocketHandle adopt(SocketHandle plain) {
        IoUringSocket socket = new IoUringSocket(plain, true);
        CompletionFds.put(socket);
        return socket;
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        if (closed) {
            throw new IOException("listening socket fd=" + fd + " is closed");
        }
        return delegate.localAddress();
    }

    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        while (count > 0) {
            FdCalls.close(errno, pop()); // accepted, never handed out
        }
        if (driver != null && !driver.isClosed()) {
            released();
        }
        CompletionFds.remove(this);
        try {
            delegate.close();
        } finally {
            if (driver != null) {
                driver.freeIfDone(this);
            }
        }
    }

    /** For tests: whether a multishot accept is in flight. */
    boolean accepting() {
        return state != NONE;
    }

    @Override
    public String toString() {
        return "IoUringServerSocket[fd=" + fd + (closed ? ", closed" : "") + "]";
    }
}

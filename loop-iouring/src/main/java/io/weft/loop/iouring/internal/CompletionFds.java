package io.weft.loop.iouring.internal;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The process's completion-driven sockets, indexed by fd, so the poller that is asked to watch an fd
 * finds the socket behind it ({@link IoUringPoller#update}) with one array read: no map, no boxing.
 * A socket is entered when it is made (on the thread that made it) and removed before its fd is
 * closed, so an fd number the kernel hands out again never finds the old socket.
 *
 * <p>Safe from any thread: changes are made under the class's lock (once per socket, never per
 * event), the array is replaced (copied, larger) under it and read without it through a volatile
 * field; entries are atomic.
 */
final class CompletionFds {
    private static volatile AtomicReferenceArray<Completable> table = new AtomicReferenceArray<>(1024);

    private CompletionFds() {
    }

    /** The completion-driven socket that owns {@code fd}, or null when it is an ordinary fd. */
    static Completable get(int fd) {
        AtomicReferenceArray<Completable> t = table;
        return fd < t.length() ? t.get(fd) : null;
    }

    /** Enters {@code socket} as the owner of its fd. */
    static synchronized void put(Completable socket) {
        int fd = socket.fd;
        AtomicReferenceArray<Completable> t = table;
        if (fd >= t.length()) {
            t = grow(fd);
        }
        t.set(fd, socket);
    }

    /** Removes {@code socket}, if it still owns its fd; call before the fd is closed. */
    static synchronized void remove(Completable socket) {
        AtomicReferenceArray<Completable> t = table;
        if (socket.fd < t.length()) {
            t.compareAndSet(socket.fd, socket, null);
        }
    }

    private static synchronized AtomicReferenceArray<Completable> grow(int fd) {
        AtomicReferenceArray<Completable> old = table;
        if (fd < old.length()) {
            return old;
        }
        AtomicReferenceArray<Completable> bigger = new AtomicReferenceArray<>(Math.max(fd + 1, old.length() * 2));
        for (int i = 0; i < old.length(); i++) {
            bigger.set(i, old.get(i));
        }
        table = bigger;
        return bigger;
    }
}

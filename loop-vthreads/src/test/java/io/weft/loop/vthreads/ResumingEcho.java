package io.weft.loop.vthreads;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The server side of an echo whose connections hold no thread between bursts: each task echoes
 * what is buffered, then waits for more with {@link BlockingSocket#resumeOnInput}. It records
 * every thread it ran on, how many run now, and what failed.
 */
final class ResumingEcho {
    final VirtualThreads threads;
    final Set<Thread> ranOn = ConcurrentHashMap.newKeySet();
    final AtomicInteger running = new AtomicInteger();
    final List<Throwable> failures = new CopyOnWriteArrayList<>();

    ResumingEcho(VirtualThreads threads) {
        this.threads = threads;
    }

    /** Starts serving {@code socket}: its first task runs once its first bytes arrive. */
    void serve(BlockingSocket socket) throws IOException {
        socket.resumeOnInput(threads, new Runnable() {
            @Override
            public void run() {
                echoWhatIsBuffered(socket, this);
            }
        });
    }

    private void echoWhatIsBuffered(BlockingSocket socket, Runnable again) {
        running.incrementAndGet();
        ranOn.add(Thread.currentThread());
        try {
            ByteBuffer buffer = ByteBuffer.allocate(3000); // smaller than some bursts: several reads each
            while (true) {
                if (socket.read(buffer.clear()) < 0) {
                    socket.close();
                    return;
                }
                socket.write(buffer.flip());
                if (socket.getInputStream().available() == 0) {
                    socket.resumeOnInput(threads, again); // this thread ends; the socket waits with none
                    return;
                }
            }
        } catch (IOException | RuntimeException e) {
            failures.add(e);
            socket.close();
        } finally {
            running.decrementAndGet();
        }
    }

    /** Whether no task runs and every thread that ran one has ended. */
    boolean noneAlive() {
        return running.get() == 0 && ranOn.stream().noneMatch(Thread::isAlive);
    }
}

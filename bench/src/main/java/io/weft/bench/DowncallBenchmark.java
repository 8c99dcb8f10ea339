package io.weft.bench;

import io.weft.loop.epoll.internal.EpollCalls;
import io.weft.loop.epoll.internal.FdCalls;
import io.weft.loop.epoll.internal.Native;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;
import java.nio.channels.Selector;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of loop-epoll's hot FFM downcalls beside the JDK's own (JNI) path to the same syscall,
 * each doing no work in the kernel: {@code epoll_pwait2} with a zero timeout on an epoll set with
 * nothing ready, against {@code Selector.selectNow()}; and {@code read} of an empty non-blocking
 * pipe (EAGAIN, errno captured), against {@code Pipe.SourceChannel.read} of an empty pipe. The
 * difference is the price of the call itself: FFM's transition and errno capture against the
 * JDK's JNI stubs and bookkeeping.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Xms256m", "-Xmx256m"})
@State(Scope.Thread)
public class DowncallBenchmark {
    private Arena arena;
    private MemorySegment errno;
    private MemorySegment events;
    private MemorySegment zeroTimeout;
    private MemorySegment readBuffer;
    private int epfd;
    private int pipeReadFd;
    private int pipeWriteFd;
    private Selector selector;
    private Pipe pipe;
    private final ByteBuffer nioBuffer = ByteBuffer.allocateDirect(64);

    @Setup
    public void open() throws IOException {
        arena = Arena.ofConfined();
        errno = Native.newErrnoSegment(arena);
        events = arena.allocate(EpollCalls.EVENT, 16);
        zeroTimeout = arena.allocate(EpollCalls.TIMESPEC); // zeroed: return at once
        readBuffer = arena.allocate(64);
        epfd = EpollCalls.create1(errno, EpollCalls.EPOLL_CLOEXEC);
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        if (epfd < 0 || FdCalls.pipe2(errno, fds, 0x800 /* O_NONBLOCK */ | 0x80000 /* O_CLOEXEC */) < 0) {
            throw new IOException("epoll_create1 or pipe2 failed");
        }
        pipeReadFd = fds.getAtIndex(ValueLayout.JAVA_INT, 0);
        pipeWriteFd = fds.getAtIndex(ValueLayout.JAVA_INT, 1);
        selector = Selector.open();
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
    }

    @TearDown
    public void close() throws IOException {
        FdCalls.close(errno, epfd);
        FdCalls.close(errno, pipeReadFd);
        FdCalls.close(errno, pipeWriteFd);
        arena.close();
        selector.close();
        pipe.source().close();
        pipe.sink().close();
    }

    @Benchmark
    public int ffmEpollPwait2Empty() {
        return EpollCalls.pwait2(errno, epfd, events, 16, zeroTimeout, MemorySegment.NULL);
    }

    @Benchmark
    public int jdkSelectNowEmpty() throws IOException {
        return selector.selectNow();
    }

    @Benchmark
    public long ffmReadEmptyPipe() {
        return FdCalls.read(errno, pipeReadFd, readBuffer);
    }

    @Benchmark
    public int jdkReadEmptyPipe() throws IOException {
        return pipe.source().read(nioBuffer.clear());
    }
}

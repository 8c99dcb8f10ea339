package io.weft.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The state every loop benchmark shares: the loop under test, named by the {@code impl} parameter
 * ({@code weft-nio}, {@code netty-nio}, {@code weft-epoll}, {@code netty-epoll}; see {@link
 * BenchLoop}), opened before the trial and closed after it. JMH runs each value in its own fork.
 */
@State(Scope.Benchmark)
public abstract class LoopBenchmark {

    /** Which loop: {@code weft-nio}, {@code netty-nio}, {@code weft-epoll}, {@code netty-epoll}. */
    @Param({"weft-nio", "netty-nio", "weft-epoll", "netty-epoll"})
    public String impl;

    /** The loop under test, running on its own thread during the trial. */
    protected BenchLoop loop;

    @Setup(Level.Trial)
    public void open() {
        loop = BenchLoop.open(impl);
    }

    @TearDown(Level.Trial)
    public void close() {
        loop.close();
    }
}

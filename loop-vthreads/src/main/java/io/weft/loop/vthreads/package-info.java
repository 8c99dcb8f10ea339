/**
 * Virtual threads that park on a Weft loop: {@link io.weft.loop.vthreads.VirtualThreads} starts them
 * on one of two {@link io.weft.loop.vthreads.Carrier carriers}; {@link
 * io.weft.loop.vthreads.BlockingSocket} and {@link io.weft.loop.vthreads.BlockingServerSocket} give
 * them blocking-style TCP, plain or TLS, over the loop's stream contract.
 *
 * <p><b>The rule on locks.</b> A loop thread never waits on a lock (a {@code synchronized} monitor,
 * a {@link java.util.concurrent.locks.Lock}, a blocking queue) that a thread it carries may hold or
 * may be queued for: that thread runs only when the loop thread runs it, so the loop would wait for
 * itself, for ever. And no loop-carried thread parks while it holds a lock another thread carried by
 * the same loop may want. So state shared between a loop and the threads it carries is either
 * loop-confined (touched only on the loop thread, which a carried thread is while it runs: a
 * socket's buffers and waiters) or held in lock-free structures (atomics, concurrent queues: the
 * acceptor queues of a server socket, the scheduler's run queue, the waiters' outcomes). Waiting
 * threads park on a {@code Waiter}, which the loop completes without a lock.
 */
package io.weft.loop.vthreads;

package io.weft.loop.core.spi;

/**
 * The hook by which a scheduler of virtual threads runs their steps on a loop's own thread (as
 * loop-vthreads does); obtained from {@link io.weft.loop.core.EventLoop#carrier()}. Applications
 * never need it.
 *
 * <p>While a step runs through {@link #carry}, its virtual thread counts as the loop thread ({@link
 * io.weft.loop.core.EventLoop#inLoop()} is true for it, and it may use the loop-thread-only API
 * directly) and {@link io.weft.loop.core.EventLoop#carriedThread()} names it, for a watchdog.
 */
public interface LoopCarrier {

    /**
     * Runs {@code continuation}, one step of {@code virtualThread}, on the calling loop thread, as
     * the loop thread. Loop thread only; steps may nest (the outer one is restored after).
     *
     * @param virtualThread the virtual thread whose step this is
     * @param continuation the step to run
     * @throws IllegalStateException if the caller is not the loop's thread
     */
    void carry(Thread virtualThread, Runnable continuation);
}

/**
 * Virtual threads that park on a Weft loop: {@link io.weft.loop.vthreads.VirtualThreads} starts them
 * on one of two {@link io.weft.loop.vthreads.Carrier carriers}; {@link
 * io.weft.loop.vthreads.BlockingSocket} and {@link io.weft.loop.vthreads.BlockingServerSocket} give
 * them blocking-style TCP over the loop's TCP contract.
 */
package io.weft.loop.vthreads;

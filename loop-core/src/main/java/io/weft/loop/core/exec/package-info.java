/**
 * The loop as an executor and a home for futures: {@link io.weft.loop.core.exec.LoopExecutorService}
 * (a {@code ScheduledExecutorService} on a loop or a group), {@link
 * io.weft.loop.core.exec.BlockingWork} (blocking calls on a bounded pool, results back on the loop)
 * and {@link io.weft.loop.core.exec.LoopFuture} (futures whose async stages run on the loop).
 */
package io.weft.loop.core.exec;

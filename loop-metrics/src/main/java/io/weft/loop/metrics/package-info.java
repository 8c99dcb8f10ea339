/**
 * Micrometer meters for Weft loops: {@link io.weft.loop.metrics.LoopMetrics} binds one loop or
 * several, {@link io.weft.loop.metrics.LoopMeters} names every meter, and {@link
 * io.weft.loop.metrics.LoopWatchdog} raises blocking-callback alarms.
 */
package io.weft.loop.metrics;

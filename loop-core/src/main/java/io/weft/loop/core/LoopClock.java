package io.weft.loop.core;

/**
 * The loop's source of time, in nanoseconds from an arbitrary origin, as {@link System#nanoTime()}.
 *
 * <p>Injectable so that timers can be tested without sleeping: a test advances a manual clock and
 * runs the loop with {@link RunMode#NOWAIT}. Must be monotonic and safe to call from any thread.
 */
@FunctionalInterface
public interface LoopClock {

    /** {@return the current time in nanoseconds; only differences between two readings mean anything} */
    long nanoTime();

    /** {@return the JVM's monotonic clock} */
    static LoopClock system() {
        return System::nanoTime;
    }
}

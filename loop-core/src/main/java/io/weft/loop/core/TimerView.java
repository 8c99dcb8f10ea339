package io.weft.loop.core;

import java.time.Duration;
import java.util.Objects;

/**
 * One pending timer of a loop as a {@link LoopSnapshot} shows it; immutable.
 *
 * @param task the class name of its task
 * @param dueIn how long until its deadline from the loop's cached time (negative when overdue)
 * @param period its period, {@link Duration#ZERO} for a one-shot timer
 * @param referenced whether it keeps the loop alive
 */
public record TimerView(String task, Duration dueIn, Duration period, boolean referenced) {
    /** Checks that every part is there. */
    public TimerView {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(dueIn, "dueIn");
        Objects.requireNonNull(period, "period");
    }
}

package io.weft.loop.core;

import java.time.Duration;
import java.util.Objects;

/**
 * One open watcher of a loop as a {@link LoopSnapshot} shows it; immutable.
 *
 * @param kind what it is: {@code watcher}, {@code connection}, {@code listener} (see {@link Watcher#kind(String)})
 * @param name its {@link Watcher#name(String)}, else its handler's {@code toString()}
 * @param referenced whether it keeps the loop alive while active
 * @param active whether it waits for something (an open watcher with an interest)
 * @param interest what it waits for: {@code READABLE}, {@code WRITABLE}, {@code BOTH} or {@code NONE}
 * @param age how long it has been open, by the loop's clock
 */
public record HandleView(String kind, String name, boolean referenced, boolean active, String interest, Duration age) {
    /** Checks that every part is there. */
    public HandleView {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(interest, "interest");
        Objects.requireNonNull(age, "age");
    }
}

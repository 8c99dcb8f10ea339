package io.weft.loop.core.internal;

import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * Per-loop state of Weft's own layers (a transport's counters, TLS buffers, a scheduler of
 * virtual threads): one object per loop and key, made on first use and kept as long as the loop.
 * Not API: the package is exported only to Weft's modules; an application keeps its per-loop state
 * itself (on the loop thread, a field of its handler or a {@link ThreadLocal}).
 *
 * <p>A leaf package: it names no Weft type (a loop is an {@code L} here), so the core's packages
 * depend on it and not the reverse. {@code EventLoop} hands over the way to its map when its class
 * is initialised, which happens before any loop can be passed in.
 */
public final class LoopLocals {
    /** How to reach a loop's map; given once, by {@code EventLoop}'s class initialisation. */
    private static volatile Function<Object, Map<Class<?>, Object>> maps;

    private LoopLocals() {
    }

    /**
     * Lets this class reach each loop's map of states. Called once, by {@code EventLoop}.
     *
     * @param loopMaps gives a loop's own concurrent map of states
     * @throws IllegalStateException when called a second time
     */
    public static synchronized void bind(Function<Object, Map<Class<?>, Object>> loopMaps) {
        if (maps != null) {
            throw new IllegalStateException("LoopLocals is bound by EventLoop only");
        }
        maps = Objects.requireNonNull(loopMaps, "loopMaps");
    }

    /**
     * The state of {@code loop} for {@code key}, made by {@code factory} on first use. Safe from any
     * thread; {@code factory} runs at most once per loop and key. What the state allows is up to it.
     *
     * @param <L> the loop's type, {@code EventLoop}
     * @param <T> the type of the state
     * @param loop the loop the state belongs to
     * @param key the state's class, which names it: one state per class and loop
     * @param factory makes the state from the loop, the first time it is asked for
     * @return the state, the same object on every call for this loop and key
     */
    public static <L, T> T get(L loop, Class<T> key, Function<? super L, ? extends T> factory) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(factory, "factory");
        Map<Class<?>, Object> states = maps.apply(Objects.requireNonNull(loop, "loop"));
        // get first: computeIfAbsent may lock a bin even when the key is there, and a thread the
        // loop carries must never wait on a lock the loop thread could hold (or the reverse)
        Object state = states.get(key);
        return key.cast(state != null ? state : states.computeIfAbsent(key, k -> factory.apply(loop)));
    }
}

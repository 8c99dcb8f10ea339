package io.weft.loop.core.signal;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Proxy;

/**
 * The JVM's signal API ({@code sun.misc.Signal} of module {@code jdk.unsupported}), reached through
 * method handles: a compile-time reference to it draws a javac warning that nothing can suppress,
 * and the build treats warnings as errors. Handlers are opaque objects here: what {@link #handle}
 * returns can be given back to {@link #set}.
 */
final class JvmSignals {
    private static final Class<?> SIGNAL;
    private static final Class<?> HANDLER;
    private static final Object IGNORED;
    private static final MethodHandle NEW_SIGNAL;
    private static final MethodHandle HANDLE;
    private static final MethodHandle RAISE;

    static {
        try {
            MethodHandles.Lookup lookup = MethodHandles.publicLookup();
            SIGNAL = Class.forName("sun.misc.Signal");
            HANDLER = Class.forName("sun.misc.SignalHandler");
            IGNORED = HANDLER.getField("SIG_IGN").get(null);
            NEW_SIGNAL = lookup.findConstructor(SIGNAL, MethodType.methodType(void.class, String.class));
            HANDLE = lookup.findStatic(SIGNAL, "handle", MethodType.methodType(HANDLER, SIGNAL, HANDLER));
            RAISE = lookup.findStatic(SIGNAL, "raise", MethodType.methodType(void.class, SIGNAL));
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private JvmSignals() {
    }

    /** Makes {@code onSignal} the JVM's handler of signal {@code name} ({@code USR1}, ...); returns the one before. */
    static Object handle(String name, Runnable onSignal) {
        Object handler = Proxy.newProxyInstance(HANDLER.getClassLoader(), new Class<?>[] {HANDLER},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        onSignal.run();
                        yield null;
                    }
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "weft handler of SIG" + name;
                });
        return set(name, handler);
    }

    /**
     * Makes {@code handler} (one {@link #handle} returned) the JVM's handler of {@code name}; returns
     * the one before.
     *
     * @throws IllegalArgumentException if the JVM refuses to handle that signal
     */
    static Object set(String name, Object handler) {
        try {
            return HANDLE.invoke(NEW_SIGNAL.invoke(name), handler);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("installing a handler of SIG" + name + " failed", e);
        }
    }

    /** Whether {@code handler} is the JVM's "ignore this signal". */
    static boolean isIgnored(Object handler) {
        return handler == IGNORED;
    }

    /** Raises signal {@code name} in this process. */
    static void raise(String name) {
        try {
            RAISE.invoke(NEW_SIGNAL.invoke(name));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException("raising SIG" + name + " failed", e);
        }
    }
}

package io.weft.loop.core.signal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Installs a plain JVM signal handler ({@code sun.misc.Signal}) for a test, reflectively: a
 * compile-time reference to that API draws a javac warning nothing can suppress, and the build
 * treats warnings as errors.
 */
final class JvmSignalHandlers {
    private JvmSignalHandlers() {
    }

    /** Makes {@code onSignal} the JVM's handler of {@code name} (such as {@code USR1}); returns the previous one. */
    static Object install(String name, Runnable onSignal) throws ReflectiveOperationException {
        Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
        Object handler = Proxy.newProxyInstance(handlerType.getClassLoader(), new Class<?>[] {handlerType},
                (proxy, method, args) -> switch (method.getName()) {
                    case "handle" -> {
                        onSignal.run();
                        yield null;
                    }
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "test handler of SIG" + name;
                });
        return set(name, handler);
    }

    /** Puts back a handler {@link #install} returned. */
    static void restore(String name, Object previous) throws ReflectiveOperationException {
        set(name, previous);
    }

    private static Object set(String name, Object handler) throws ReflectiveOperationException {
        Class<?> signalType = Class.forName("sun.misc.Signal");
        Class<?> handlerType = Class.forName("sun.misc.SignalHandler");
        Method handle = signalType.getMethod("handle", signalType, handlerType);
        return handle.invoke(null, signalType.getConstructor(String.class).newInstance(name), handler);
    }
}

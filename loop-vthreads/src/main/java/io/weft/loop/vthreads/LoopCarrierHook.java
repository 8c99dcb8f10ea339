package io.weft.loop.vthreads;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.InaccessibleObjectException;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The JDK's hidden hook for a custom virtual-thread scheduler, and the decision to use it.
 *
 * <p>JDK 25 keeps a package-private constructor {@code
 * java.lang.ThreadBuilders.VirtualThreadBuilder(Executor scheduler)} (for the JDK's own tests):
 * threads built by it hand every continuation to {@code scheduler.execute} instead of the default
 * ForkJoinPool. Reaching it needs {@code java.lang} opened to this module; it throws {@code
 * UnsupportedOperationException} on a VM without continuations. The JDK's default scheduler
 * ({@code java.lang.VirtualThread.DEFAULT_SCHEDULER}), reached the same way, is where the children a
 * loop-carried thread starts with plain {@code Thread.ofVirtual()} run (see {@link
 * LoopScheduler.Carried}). Anything else (either gone in a later JDK) also means: no loop carrier.
 */
final class LoopCarrierHook {
    private static final System.Logger LOG = System.getLogger("io.weft.loop.vthreads");
    private static final AtomicBoolean WARNED = new AtomicBoolean();
    private static final Probe PROBE = probe();

    private LoopCarrierHook() {
    }

    /** Whether the hook can be used: the constructor and the JDK's default scheduler, or why not. */
    record Probe(Constructor<?> constructor, Executor defaultScheduler, String unavailability) {
        static Probe unavailable(String why) {
            return new Probe(null, null, why);
        }

        boolean available() {
            return constructor != null;
        }
    }

    /** The carrier to use, and the warning to log once if it is not the one asked for. */
    record Decision(Carrier carrier, Optional<String> warning) {
    }

    /** The exact flag that opens {@code java.lang} to this code, module path or class path. */
    static String flag() {
        Module module = LoopCarrierHook.class.getModule();
        return "--add-opens java.base/java.lang=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    static Probe probe() {
        try {
            Class<?> builder = Class.forName("java.lang.ThreadBuilders$VirtualThreadBuilder");
            Constructor<?> constructor = builder.getDeclaredConstructor(Executor.class);
            constructor.setAccessible(true);
            constructor.newInstance((Executor) Runnable::run); // fails here without continuations
            Field defaultScheduler = Class.forName("java.lang.VirtualThread").getDeclaredField("DEFAULT_SCHEDULER");
            defaultScheduler.setAccessible(true);
            return new Probe(constructor, (Executor) defaultScheduler.get(null), null);
        } catch (InaccessibleObjectException e) {
            return Probe.unavailable("java.base does not open java.lang to " + moduleDescription());
        } catch (java.lang.reflect.InvocationTargetException e) {
            return Probe.unavailable("this VM cannot build such threads (" + e.getCause() + ")");
        } catch (ReflectiveOperationException | RuntimeException e) {
            return Probe.unavailable("this JDK has no VirtualThreadBuilder(Executor) constructor"
                    + " or VirtualThread.DEFAULT_SCHEDULER (" + e + ")");
        }
    }

    private static String moduleDescription() {
        Module module = LoopCarrierHook.class.getModule();
        return module.isNamed() ? "module " + module.getName() : "the unnamed module";
    }

    /** The decision for {@code requested}, given what the probe found. Pure: tested directly. */
    static Decision decide(Carrier requested, Probe probe) {
        if (requested == Carrier.POOL || probe.available()) {
            return new Decision(requested, Optional.empty());
        }
        return new Decision(Carrier.POOL, Optional.of("Weft cannot carry virtual threads on the loop thread: "
                + probe.unavailability() + ". They run on the JDK's default scheduler instead (Carrier.POOL)."
                + " To carry them on the loop, run java with " + flag()
                + " (an executable jar can carry 'Add-Opens: java.base/java.lang' in its manifest)."));
    }

    /** Decides for this JVM, logging a fallback once per JVM. */
    static Carrier choose(Carrier requested) {
        Decision decision = decide(requested, PROBE);
        decision.warning().ifPresent(message -> {
            if (WARNED.compareAndSet(false, true)) {
                LOG.log(System.Logger.Level.WARNING, message);
            }
        });
        return decision.carrier();
    }

    /**
     * The JDK's default virtual-thread scheduler, where plain virtual threads run; only after
     * {@link #choose} said LOOP.
     */
    static Executor defaultScheduler() {
        return PROBE.defaultScheduler();
    }

    /** A virtual-thread builder whose threads run on {@code scheduler}; only after {@link #choose} said LOOP. */
    static Thread.Builder.OfVirtual builder(Executor scheduler) {
        try {
            return (Thread.Builder.OfVirtual) PROBE.constructor().newInstance(scheduler);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("the loop-carrier hook worked once and failed now", e);
        }
    }
}

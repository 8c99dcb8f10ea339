package io.weft.samples;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import sun.misc.Signal;
import sun.misc.SignalHandler;

/**
 * The one place where a sample handles SIGTERM and SIGINT: the first of them runs the sample's
 * stop once, on a thread of its own, prints {@code weft NAME stopped}, and ends the process with
 * status 0 for a clean stop (as nginx and redis-server do) or 1 for one that hit its bound or
 * failed. Later signals are ignored while the stop runs; the stop is bounded, so the process always
 * ends. An {@link Error} that ends any thread (an {@link OutOfMemoryError} in a loop thread, say)
 * begins the same stop, and its status is 1 however it ends: the process neither limps on nor
 * exits 0 because its loop threads are gone. Uses {@code sun.misc.Signal} (module {@code jdk.unsupported}) until the loop offers signal handles.
 */
public final class StopSignals {
    /** Exit status of a clean stop. */
    public static final int CLEAN = 0;
    /** Exit status of a stop that hit its bound or failed. */
    public static final int UNCLEAN = 1;

    private StopSignals() {
    }

    /**
     * Installs the handlers. {@code stop} returns whether the stop was clean; whatever it throws
     * (an {@link Error} included) makes the stop unclean. Call once, from a main method.
     */
    public static void install(String sample, BooleanSupplier stop, PrintStream out, PrintStream err) {
        AtomicBoolean started = new AtomicBoolean();
        SignalHandler handler = signal -> begin(started, sample, stop, false, out, err);
        Signal.handle(new Signal("TERM"), handler);
        Signal.handle(new Signal("INT"), handler);
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            err.println("Exception in thread \"" + thread.getName() + "\"");
            e.printStackTrace(err);
            if (e instanceof Error) {
                begin(started, sample, stop, true, out, err);
            }
        });
    }

    private static void begin(AtomicBoolean started, String sample, BooleanSupplier stop, boolean failed,
            PrintStream out, PrintStream err) {
        if (started.compareAndSet(false, true)) {
            // A non-daemon thread: once the loop threads end, nothing else keeps the JVM from exiting
            // on its own (status 0, the "stopped" line unprinted) before this one decides.
            Thread.ofPlatform().daemon(false).name("weft-" + sample + "-stop")
                    .start(() -> exit(sample, stop, failed, out, err));
        }
    }

    private static void exit(String sample, BooleanSupplier stop, boolean failed, PrintStream out, PrintStream err) {
        int status = UNCLEAN;
        try {
            status = stop.getAsBoolean() && !failed ? CLEAN : UNCLEAN;
            out.println("weft " + sample + " stopped" + (status == CLEAN ? "" : " (unclean: see the lines above)"));
        } catch (Throwable t) { // even an OutOfMemoryError must not leave a process that ignores SIGTERM
            try {
                err.println("weft " + sample + ": the stop failed: " + t);
            } catch (Throwable ignored) {
                // nothing more can be said; exit below regardless
            }
        } finally {
            out.flush();
            err.flush();
            // halt, not exit: a stuck loop thread or shutdown hook must not hold the process up.
            Runtime.getRuntime().halt(status);
        }
    }
}

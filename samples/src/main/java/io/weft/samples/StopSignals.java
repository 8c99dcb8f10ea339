package io.weft.samples;

import io.weft.loop.core.signal.Signal;
import io.weft.loop.core.signal.SignalHook;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The one place where a sample handles SIGTERM and SIGINT: the first of them runs the sample's
 * stop once, on a thread of its own, prints {@code weft NAME stopped}, and ends the process with
 * status 0 for a clean stop (as nginx and redis-server do) or 1 for one that hit its bound or
 * failed. Later signals are ignored while the stop runs; the stop is bounded, so the process always
 * ends. An {@link Error} that ends any thread (an {@link OutOfMemoryError} in a loop thread, say)
 * begins the same stop, and its status is 1 however it ends: the process neither limps on nor
 * exits 0 because its loop threads are gone. The signals are taken by {@link SignalHook}s, which run
 * on the JVM's signal thread, not on a loop: the stop begins even when every loop is stuck.
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
     * (an {@link Error} included) makes the stop unclean. Call once, from a main method. A signal
     * the process ignores (SIGINT of a job a script put in the background) stays ignored, said on
     * {@code err}.
     *
     * @param sample the sample's name, for the thread and the {@code stopped} line
     * @param stop stops the sample; returns whether it stopped cleanly within its bound
     * @param out where the {@code stopped} line goes
     * @param err where failures go
     */
    public static void install(String sample, BooleanSupplier stop, PrintStream out, PrintStream err) {
        Stop once = new Stop(sample, stop, out, err);
        for (Signal signal : new Signal[] {Signal.TERM, Signal.INT}) {
            try {
                SignalHook.install(signal, () -> once.begin(false));
            } catch (IllegalStateException ignoredByTheProcess) {
                err.println("weft " + sample + ": " + ignoredByTheProcess.getMessage());
            }
        }
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (e instanceof Error) {
                once.begin(true); // first: printing a stack trace needs memory an OutOfMemoryError may not leave
            }
            try {
                err.println("Exception in thread \"" + thread.getName() + "\"");
                e.printStackTrace(err);
            } catch (Throwable ignored) {
                // out of memory even for this: the stop has begun, and says that it was unclean
            }
        });
    }

    /** The stop of one process: begun once, by a signal or an Error. */
    private static final class Stop {
        private final AtomicBoolean started = new AtomicBoolean();
        /** Heap set aside for the stop: let go when it begins, so that an exhausted heap has room for it. */
        private volatile byte[] reserve = new byte[256 * 1024];
        private volatile boolean failed;
        private final Thread thread;
        private final String sample;
        private final BooleanSupplier stop;
        private final PrintStream out;
        private final PrintStream err;
        // Encoded now: a stop that runs out of memory must still be able to say that it ended, and
        // printing bytes allocates nothing on the heap (encoding a String would).
        private final byte[] stopped;
        private final byte[] stoppedUnclean;

        Stop(String sample, BooleanSupplier stop, PrintStream out, PrintStream err) {
            this.sample = sample;
            this.stop = stop;
            this.out = out;
            this.err = err;
            String line = "weft " + sample + " stopped";
            this.stopped = (line + System.lineSeparator()).getBytes(out.charset());
            this.stoppedUnclean = (line + " (unclean: see the lines above)" + System.lineSeparator())
                    .getBytes(out.charset());
            // A non-daemon thread, made now: once the loop threads end, nothing else keeps the JVM
            // from exiting on its own (status 0, the "stopped" line unprinted) before this one decides.
            this.thread = Thread.ofPlatform().daemon(false).name("weft-" + sample + "-stop").unstarted(this::exit);
        }

        void begin(boolean byError) {
            if (byError) {
                failed = true;
            }
            if (started.compareAndSet(false, true)) {
                reserve = null;
                try {
                    thread.start();
                } catch (Throwable cannotStart) { // out of memory even so: the next signal or Error tries again
                    started.set(false);
                }
            }
        }

        private void exit() {
            int status = UNCLEAN;
            try {
                status = stop.getAsBoolean() && !failed ? CLEAN : UNCLEAN;
            } catch (Throwable t) { // even an OutOfMemoryError must not leave a process that ignores SIGTERM
                say(err, ("weft " + sample + ": the stop failed: " + t + System.lineSeparator()).getBytes(err.charset()));
            } finally {
                say(out, status == CLEAN ? stopped : stoppedUnclean);
                say(err, null);
                // halt, not exit: a stuck loop thread or shutdown hook must not hold the process up.
                Runtime.getRuntime().halt(status);
            }
        }

        /** Prints {@code line} (encoded, line end included; if any) and flushes, come what may: the exit status still tells. */
        private static void say(PrintStream stream, byte[] line) {
            try {
                if (line != null) {
                    stream.write(line, 0, line.length);
                }
                stream.flush();
            } catch (Throwable ignored) {
                // out of memory even for this: the exit status is all that is left
            }
        }
    }
}

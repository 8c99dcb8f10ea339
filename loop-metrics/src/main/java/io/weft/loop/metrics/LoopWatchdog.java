package io.weft.loop.metrics;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopClock;
import io.weft.loop.core.LoopStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One daemon thread that watches any number of loops for a callback, timer or I/O handler that
 * holds its loop longer than a threshold (Tornado's blocking signal threshold, Vert.x's blocked
 * thread checker), and that samples how long queued callbacks wait.
 *
 * <p><b>What it does per loop, every tick.</b> It reads {@link LoopStats#taskStartNanos()} (it
 * turns on {@link LoopStats#trackTasks()} when it starts watching). When one task has run longer
 * than the threshold, that is a <em>blocked episode</em>: it is counted once, the stack of the code
 * holding the loop is sampled while it is still blocked (at 1, 2, 4, 8... times the threshold, at
 * most {@value #MAX_SAMPLES} samples: the loop thread's stack, or, when the loop thread is carrying
 * a virtual thread ({@link EventLoop#carriedThread()}), that virtual thread's, named in the sample;
 * a sample that could not be taken says why), and when the task ends its duration is recorded, one {@code WARNING} is
 * logged through {@link System.Logger} ({@code io.weft.loop.metrics.LoopWatchdog}) with the task and
 * the samples, and a {@value BlockedLoopEvent#NAME} JFR event is committed. A task still blocking
 * after the last sample is logged then, so a loop stuck for good is reported too. Log lines are
 * rate-limited per loop (one per {@link #DEFAULT_LOG_INTERVAL} by default); the ones left out are
 * counted in the next line. Durations are measured with the loop's own {@link LoopClock}, to the
 * watchdog's tick.
 *
 * <p><b>Threads.</b> The thread starts with the first watched loop and ends when none is left. It
 * never runs loop code; it only reads the loop's stats, samples stacks and queues
 * a small probe callback with {@link EventLoop#execute}. Everything here is safe from any thread.
 */
public final class LoopWatchdog {
    /** How often the shared watchdog looks at its loops. */
    public static final Duration DEFAULT_TICK = Duration.ofMillis(10);

    /** The least time between two blocked-loop log lines about one loop. */
    public static final Duration DEFAULT_LOG_INTERVAL = Duration.ofSeconds(10);

    /** Stack samples kept per episode: at 1, 2, 4 ... 32 times the threshold. */
    static final int MAX_SAMPLES = 6;

    private static final int MAX_FRAMES = 64;
    private static final System.Logger LOG = System.getLogger(LoopWatchdog.class.getName());
    private static final LoopWatchdog SHARED = new LoopWatchdog("weft-loop-watchdog", DEFAULT_TICK, true);

    private final String threadName;
    private final long tickNanos;
    private final boolean threaded;
    private final List<Watch> watches = new CopyOnWriteArrayList<>();
    private final Object lock = new Object();
    private Thread thread; // guarded by lock

    private LoopWatchdog(String threadName, long tickNanos, boolean threaded) {
        this.threadName = threadName;
        this.tickNanos = tickNanos;
        this.threaded = threaded;
    }

    private LoopWatchdog(String threadName, Duration tick, boolean threaded) {
        this(threadName, tick.toNanos(), threaded);
    }

    /** {@return the process-wide watchdog: one daemon thread named {@code weft-loop-watchdog}, ticking every {@link #DEFAULT_TICK}} */
    public static LoopWatchdog shared() {
        return SHARED;
    }

    /**
     * {@return a watchdog with its own daemon thread, for a tick other than the default} Most services want
     * {@link #shared()}.
     *
     * @param threadName the name of the watchdog's thread
     * @param tick how often it looks at its loops
     * @throws IllegalArgumentException if {@code tick} is not positive
     */
    public static LoopWatchdog create(String threadName, Duration tick) {
        Objects.requireNonNull(threadName, "threadName");
        Objects.requireNonNull(tick, "tick");
        if (tick.isNegative() || tick.isZero()) {
            throw new IllegalArgumentException("tick must be positive, got " + tick);
        }
        return new LoopWatchdog(threadName, tick, true);
    }

    /** A watchdog with no thread: tests call {@link #checkNow()} after moving the loop's clock. */
    static LoopWatchdog manual() {
        return new LoopWatchdog("manual", 1, false);
    }

    /** {@return how often this watchdog looks at its loops} */
    public Duration tick() {
        return Duration.ofNanos(tickNanos);
    }

    /** {@return loops watched now} */
    public int watchedLoops() {
        return watches.size();
    }

    /**
     * Starts watching {@code loop}; {@code waitProbeNanos} 0 sends no wait probes. The returned
     * watch is closed to stop.
     */
    Watch watch(EventLoop loop, long thresholdNanos, long waitProbeNanos, long logIntervalNanos, Sink sink) {
        loop.stats().trackTasks();
        Watch watch = new Watch(this, loop, thresholdNanos, waitProbeNanos, logIntervalNanos, sink);
        watches.add(watch);
        if (threaded) {
            synchronized (lock) {
                if (thread == null) {
                    thread = Thread.ofPlatform().name(threadName).daemon(true).start(this::runThread);
                }
            }
        }
        return watch;
    }

    private void runThread() {
        while (true) {
            LockSupport.parkNanos(tickNanos);
            synchronized (lock) {
                if (watches.isEmpty()) {
                    thread = null;
                    return;
                }
            }
            try {
                checkNow();
            } catch (RuntimeException | LinkageError e) {
                // A failing meter registry or logger must not end the watch of every loop: out of file
                // descriptors, say, the logger's first use cannot load the time-zone data it needs
                // (an ExceptionInInitializerError), and the loops need watching then most of all.
                LOG.log(System.Logger.Level.ERROR, "loop watchdog: a check failed; going on", e);
            }
        }
    }

    /** Looks at every watched loop once; the thread calls it every tick, tests call it directly. */
    void checkNow() {
        synchronized (this) {
            for (Watch watch : watches) {
                watch.check();
            }
        }
    }

    /** Where a watch reports; the binder feeds its meters from it. Called on the watchdog thread, except {@link #callbackWaited}. */
    interface Sink {
        void blockedEpisodeStarted();

        void blockedEpisodeEnded(long blockedNanos);

        /** Called on the loop thread, by the wait probe. */
        void callbackWaited(long waitNanos);
    }

    /** One watched loop. */
    static final class Watch implements AutoCloseable {
        private final LoopWatchdog owner;
        private final EventLoop loop;
        private final LoopStats stats;
        private final LoopClock clock;
        private final long thresholdNanos;
        private final long waitProbeNanos;
        private final long logIntervalNanos;
        private final Sink sink;

        // Touched by the checking thread only (under the watchdog's monitor).
        private Episode episode;
        private long nextWaitProbeNanos;
        private boolean loggedOnce;
        private long lastLogNanos;
        private int episodesNotLogged;
        // Set by the checking thread, cleared by the loop thread.
        private volatile boolean waitProbePending;

        Watch(LoopWatchdog owner, EventLoop loop, long thresholdNanos, long waitProbeNanos, long logIntervalNanos, Sink sink) {
            this.owner = owner;
            this.loop = loop;
            this.stats = loop.stats();
            this.clock = loop.clock();
            this.thresholdNanos = thresholdNanos;
            this.waitProbeNanos = waitProbeNanos;
            this.logIntervalNanos = logIntervalNanos;
            this.sink = sink;
            this.nextWaitProbeNanos = clock.nanoTime();
        }

        @Override
        public void close() {
            owner.watches.remove(this);
        }

        private void check() {
            long now = clock.nanoTime();
            long start = stats.taskStartNanos();
            Episode current = episode;
            if (current != null && start != current.startNanos) {
                // The blocking task ended before the next one started, or before now if none runs.
                finish(current, (start != 0 ? start : now) - current.startNanos, now);
            } else if (current != null) {
                long blocked = now - start;
                if (current.samples.size() < MAX_SAMPLES && blocked >= thresholdNanos << current.samples.size()) {
                    current.sample(loop, stats, blocked);
                    if (current.samples.size() == MAX_SAMPLES) {
                        report(current, blocked, false, now);
                    }
                }
            } else if (start != 0 && now - start >= thresholdNanos) {
                Object task = stats.currentTask();
                Thread carried = loop.carriedThread();
                if (stats.taskStartNanos() == start) { // else it ended between the two reads
                    String what = carried == null ? describe(task) : describe(task) + " running virtual thread '" + carried.getName() + "'";
                    Episode begun = new Episode(start, what, loop.thread());
                    episode = begun;
                    begun.event.begin();
                    sink.blockedEpisodeStarted();
                    begun.sample(loop, stats, now - start);
                }
            }
            if (loop.isClosed()) {
                if (episode != null) {
                    finish(episode, now - episode.startNanos, now);
                }
                close();
                return;
            }
            // Only while a thread runs the loop: a probe left queued in an idle loop would keep it
            // alive for one more run, or be reported as dropped when the loop is closed.
            if (waitProbeNanos > 0 && !waitProbePending && now - nextWaitProbeNanos >= 0 && !loop.isShuttingDown()
                    && loop.thread() != null) {
                sendWaitProbe(now);
            }
        }

        private void finish(Episode ended, long blockedNanos, long now) {
            episode = null;
            sink.blockedEpisodeEnded(blockedNanos);
            if (!ended.reported) {
                report(ended, blockedNanos, true, now);
            }
            BlockedLoopEvent event = ended.event;
            event.end();
            if (event.shouldCommit()) {
                event.loop = loop.name();
                event.loopThread = ended.thread;
                event.task = ended.task;
                event.blockedDuration = blockedNanos;
                event.threshold = thresholdNanos;
                event.stackSamples = ended.stacksTaken();
                event.stack = ended.stackText();
                event.commit();
            }
        }

        private void report(Episode episode, long blockedNanos, boolean ended, long now) {
            episode.reported = true;
            if (loggedOnce && now - lastLogNanos < logIntervalNanos) {
                episodesNotLogged++;
                return;
            }
            loggedOnce = true;
            lastLogNanos = now;
            StringBuilder message = new StringBuilder(256)
                    .append("loop '").append(loop.name()).append("' ")
                    .append(ended ? "was blocked for " : "is still blocked after ").append(millis(blockedNanos))
                    .append(" (threshold ").append(millis(thresholdNanos)).append(") by ").append(episode.task);
            if (episodesNotLogged > 0) {
                message.append(" (").append(episodesNotLogged).append(" earlier blocked episode")
                        .append(episodesNotLogged == 1 ? "" : "s").append(" not logged, see weft.loop.blocked)");
                episodesNotLogged = 0;
            }
            message.append("; thread '").append(episode.thread == null ? "?" : episode.thread.getName())
                    .append("' sampled while blocked:\n").append(episode.stackText());
            LOG.log(System.Logger.Level.WARNING, message.toString());
        }

        private void sendWaitProbe(long now) {
            waitProbePending = true;
            nextWaitProbeNanos = now + waitProbeNanos;
            long queuedAt = clock.nanoTime();
            try {
                loop.execute(new WaitProbe(this, queuedAt));
            } catch (RejectedExecutionException closing) {
                waitProbePending = false;
            }
        }

        private void waitProbeRan(long queuedAt) {
            try {
                sink.callbackWaited(clock.nanoTime() - queuedAt);
            } finally {
                waitProbePending = false;
            }
        }
    }

    /** The callback the watchdog queues to measure how long callbacks wait; its name shows in stacks and alarms. */
    private record WaitProbe(Watch watch, long queuedAt) implements Runnable {
        @Override
        public void run() {
            watch.waitProbeRan(queuedAt);
        }

        @Override
        public String toString() {
            return "weft callback-wait probe";
        }
    }

    /** One blocked episode, from the watchdog's first sight of it to its end. */
    private static final class Episode {
        final long startNanos;
        final String task;
        final Thread thread;
        final List<Sample> samples = new ArrayList<>(MAX_SAMPLES);
        final BlockedLoopEvent event = new BlockedLoopEvent();
        boolean reported;

        Episode(long startNanos, String task, Thread thread) {
            this.startNanos = startNanos;
            this.task = task;
            this.thread = thread;
        }

        /**
         * Samples the stack of the code holding the loop: the virtual thread the loop thread carries
         * if there is one (the loop thread's own stack would show only the continuation that runs
         * it), else the loop thread. A sample that cannot be taken, or that may show something
         * else, is kept as a line that says why.
         */
        void sample(EventLoop loop, LoopStats stats, long blockedNanos) {
            String after = "after " + millis(blockedNanos);
            Thread loopThread = thread;
            if (loopThread == null) {
                samples.add(Sample.notTaken(after, "no thread was running the loop"));
                return;
            }
            Thread carried = loop.carriedThread();
            StackTraceElement[] frames = (carried != null ? carried : loopThread).getStackTrace();
            if (stats.taskStartNanos() != startNanos || loop.thread() != loopThread) {
                samples.add(Sample.notTaken(after, "the task ended while its stack was being taken"));
                return;
            }
            if (loop.carriedThread() != carried) {
                samples.add(Sample.notTaken(after, "the carried virtual thread parked or changed while its stack was being taken"));
                return;
            }
            if (frames.length == 0) {
                samples.add(Sample.notTaken(after, "the JVM returned an empty stack"));
                return;
            }
            StringBuilder text = new StringBuilder();
            int shown = Math.min(frames.length, MAX_FRAMES);
            for (int i = 0; i < shown; i++) {
                text.append("\tat ").append(frames[i]).append('\n');
            }
            if (frames.length > shown) {
                text.append("\t... ").append(frames.length - shown).append(" more\n");
            }
            String heading = carried == null ? after : after + ", in virtual thread '" + carried.getName() + "' carried by the loop thread";
            samples.add(new Sample(heading, text.toString()));
        }

        int stacksTaken() {
            return (int) samples.stream().filter(sample -> sample.frames() != null).count();
        }

        String stackText() {
            StringBuilder text = new StringBuilder();
            String previousFrames = null;
            for (Sample sample : samples) {
                if (sample.frames() == null) {
                    text.append(sample.heading()).append('\n');
                } else if (sample.frames().equals(previousFrames)) {
                    text.append(sample.heading()).append(": same stack as before\n");
                } else {
                    text.append(sample.heading()).append(":\n").append(sample.frames());
                }
                previousFrames = sample.frames();
            }
            return text.toString();
        }
    }

    /** One stack sample: when (and of which thread), and its frames, or null when it was not taken (the heading says why). */
    private record Sample(String heading, String frames) {
        static Sample notTaken(String after, String why) {
            return new Sample(after + ": no stack sampled, " + why, null);
        }
    }

    /** What was running: the task's toString when its class defines one (a label), else its class name. */
    static String describe(Object task) {
        if (task == null) {
            return "an unknown task";
        }
        Class<?> type = task.getClass();
        try {
            if (type.getMethod("toString").getDeclaringClass() != Object.class) {
                return String.valueOf(task);
            }
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            // fall through: the class name is always there
        }
        return type.getName();
    }

    static String millis(long nanos) {
        long micros = TimeUnit.NANOSECONDS.toMicros(nanos);
        return micros % 1000 == 0 ? micros / 1000 + " ms" : String.format(Locale.ROOT, "%.3f ms", micros / 1000.0);
    }
}

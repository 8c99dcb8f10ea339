package io.weft.loop.core.signal;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The process signals a loop can handle. The others are the JVM's, the kernel's or nobody's:
 * {@link #named} says which and why.
 */
public enum Signal {
    /** SIGHUP: by convention "re-read your configuration". */
    HUP,
    /** SIGINT: Ctrl-C in a terminal. */
    INT,
    /** SIGTERM: the polite "stop now" of service managers and {@code kill}. */
    TERM,
    /** SIGUSR1: free for the application. */
    USR1,
    /**
     * SIGUSR2: free for the application, but HotSpot on Linux installs its own handler for it
     * (thread suspend/resume, moved with the {@code _JAVA_SR_SIGNUM} environment variable); a
     * handle replaces that handler while it is open, so prefer {@link #USR1}.
     */
    USR2;

    /** Why each signal we refuse cannot be handled on a loop, by its short name. */
    private static final Map<String, String> REFUSED = Map.ofEntries(
            Map.entry("QUIT", "the JVM uses it for thread dumps (kill -3)"),
            Map.entry("SEGV", "the JVM uses it to handle faults in compiled code"),
            Map.entry("BUS", "the JVM uses it to handle faults on mapped memory"),
            Map.entry("FPE", "the JVM uses it to handle arithmetic faults"),
            Map.entry("ILL", "the JVM uses it to handle faults in compiled code"),
            Map.entry("TRAP", "the JVM and debuggers use it"),
            Map.entry("ABRT", "the JVM raises it to end after a fatal error"),
            Map.entry("PIPE", "the JVM ignores it so that a write to a closed socket fails with an error"),
            Map.entry("XFSZ", "the JVM ignores it so that a write past the file size limit fails with an error"),
            Map.entry("PROF", "profilers (and the JVM's CPU-time sampler) use it"),
            Map.entry("KILL", "no process can catch it"),
            Map.entry("STOP", "no process can catch it"));

    /** Whether the JVM runs its shutdown hooks on it when no handle is open (HUP, INT, TERM). */
    boolean isShutdownSignal() {
        return this == HUP || this == INT || this == TERM;
    }

    /** {@return the conventional name, for example {@code SIGHUP}} */
    public String signalName() {
        return "SIG" + name();
    }

    /**
     * {@return the signal called {@code name}, with or without the {@code SIG} prefix, in any case ({@code
     * "SIGHUP"}, {@code "hup"})}
     *
     * @param name a signal's name, such as {@code SIGTERM} or {@code term}
     * @throws IllegalArgumentException naming the signal and why, for a signal the JVM or the
     *     kernel reserves (SIGQUIT, SIGSEGV, SIGKILL, ...) or one that is unknown
     */
    public static Signal named(String name) {
        String upper = name.strip().toUpperCase(Locale.ROOT);
        String shortName = upper.startsWith("SIG") ? upper.substring(3) : upper;
        for (Signal signal : values()) {
            if (signal.name().equals(shortName)) {
                return signal;
            }
        }
        String why = REFUSED.get(shortName);
        throw new IllegalArgumentException(why != null
                ? "SIG" + shortName + " cannot be handled on a loop: " + why + "; use one of " + supported()
                : "unknown signal '" + name + "'; a loop handles " + supported());
    }

    private static String supported() {
        return Arrays.stream(values()).map(Signal::signalName).collect(Collectors.joining(", "));
    }
}

package io.weft.loop.core;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What one loop holds at one moment (libuv's {@code uv_walk}, Node's {@code
 * getActiveResourcesInfo}): its open watchers, its next timers, its queued callbacks, what libraries
 * built on it add (for example the virtual threads parked on it), and, when the loop did not answer
 * in time, the task it is stuck in. Taken by {@link LoopView#snapshot}; immutable, safe to share.
 *
 * <p>When {@link #answered()} is false the loop thread did not build it (it is blocked, or not
 * running): {@link #handles()}, {@link #nextTimers()} and {@link #sections()} are empty, and the
 * counts are the loop's {@link LoopStats}, read without it.
 *
 * @param loop the loop's name
 * @param poller its poller's name
 * @param answered whether the loop thread built it
 * @param note why the loop did not answer, empty when it did
 * @param pendingCallbacks callbacks queued and not yet run (an estimate from other threads)
 * @param liveWatchers open watchers
 * @param liveTimers timers scheduled and not yet finished or cancelled
 * @param handles the open watchers, in no particular order
 * @param nextTimers the timers due first, earliest first (at most {@link LoopView#NEXT_TIMERS})
 * @param currentTask the task the loop runs now, when it did not answer and tracks tasks ({@link
 *     LoopStats#trackTasks()}); else null
 * @param currentTaskFor how long {@code currentTask} has been running; null with it
 * @param sections what contributors added ({@link LoopView#contribute}), by section name
 */
public record LoopSnapshot(String loop, String poller, boolean answered, String note, long pendingCallbacks,
        long liveWatchers, long liveTimers, List<HandleView> handles, List<TimerView> nextTimers, String currentTask,
        Duration currentTaskFor, Map<String, List<String>> sections) {

    /** Copies the lists and map, so the snapshot cannot change. */
    public LoopSnapshot {
        Objects.requireNonNull(loop, "loop");
        Objects.requireNonNull(poller, "poller");
        Objects.requireNonNull(note, "note");
        handles = List.copyOf(handles);
        nextTimers = List.copyOf(nextTimers);
        sections = Map.copyOf(sections);
    }

    /** {@return the snapshot as one JSON object (durations in milliseconds, fractional); what {@code /debug/loops} serves} */
    public String toJson() {
        StringBuilder json = new StringBuilder(256);
        json.append("{\"loop\":").append(quote(loop))
                .append(",\"poller\":").append(quote(poller))
                .append(",\"answered\":").append(answered)
                .append(",\"note\":").append(quote(note))
                .append(",\"pendingCallbacks\":").append(pendingCallbacks)
                .append(",\"liveWatchers\":").append(liveWatchers)
                .append(",\"liveTimers\":").append(liveTimers)
                .append(",\"currentTask\":").append(currentTask == null ? "null" : quote(currentTask))
                .append(",\"currentTaskForMs\":").append(currentTaskFor == null ? "null" : millis(currentTaskFor))
                .append(",\"handles\":[");
        for (int i = 0; i < handles.size(); i++) {
            HandleView handle = handles.get(i);
            json.append(i == 0 ? "" : ",").append("{\"kind\":").append(quote(handle.kind()))
                    .append(",\"name\":").append(quote(handle.name()))
                    .append(",\"referenced\":").append(handle.referenced())
                    .append(",\"active\":").append(handle.active())
                    .append(",\"interest\":").append(quote(handle.interest()))
                    .append(",\"ageMs\":").append(millis(handle.age())).append('}');
        }
        json.append("],\"nextTimers\":[");
        for (int i = 0; i < nextTimers.size(); i++) {
            TimerView timer = nextTimers.get(i);
            json.append(i == 0 ? "" : ",").append("{\"task\":").append(quote(timer.task()))
                    .append(",\"dueInMs\":").append(millis(timer.dueIn()))
                    .append(",\"periodMs\":").append(millis(timer.period()))
                    .append(",\"referenced\":").append(timer.referenced()).append('}');
        }
        json.append("],\"sections\":{");
        boolean first = true;
        for (Map.Entry<String, List<String>> section : new TreeMap<>(sections).entrySet()) {
            json.append(first ? "" : ",").append(quote(section.getKey())).append(":[");
            first = false;
            List<String> lines = section.getValue();
            for (int i = 0; i < lines.size(); i++) {
                json.append(i == 0 ? "" : ",").append(quote(lines.get(i)));
            }
            json.append(']');
        }
        return json.append("}}").toString();
    }

    /** The snapshot as lines of text, one per handle, timer and section line (for a log). */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder(256);
        text.append("loop '").append(loop).append("' (").append(poller).append(")")
                .append(answered ? "" : " did not answer: " + note)
                .append(": ").append(liveWatchers).append(" watchers, ").append(liveTimers).append(" timers, ")
                .append(pendingCallbacks).append(" queued callbacks");
        if (currentTask != null) {
            text.append("\n  running ").append(currentTask).append(" for ").append(millis(currentTaskFor)).append(" ms");
        }
        for (HandleView handle : handles) {
            text.append("\n  ").append(handle.referenced() ? "[R" : "[-").append(handle.active() ? "A] " : "-] ")
                    .append(handle.kind()).append(' ').append(handle.name()).append(' ').append(handle.interest())
                    .append(", open ").append(millis(handle.age())).append(" ms");
        }
        for (TimerView timer : nextTimers) {
            text.append("\n  ").append(timer.referenced() ? "[R-] " : "[--] ").append("timer ").append(timer.task())
                    .append(" due in ").append(millis(timer.dueIn())).append(" ms")
                    .append(timer.period().isZero() ? "" : ", every " + millis(timer.period()) + " ms");
        }
        for (Map.Entry<String, List<String>> section : new TreeMap<>(sections).entrySet()) {
            text.append("\n  ").append(section.getKey()).append(':');
            for (String line : section.getValue()) {
                text.append("\n    ").append(line);
            }
        }
        return text.toString();
    }

    private static String millis(Duration duration) {
        return Double.toString(duration.toNanos() / 1e6);
    }

    private static String quote(String text) {
        StringBuilder quoted = new StringBuilder(text.length() + 2).append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> quoted.append("\\\"");
                case '\\' -> quoted.append("\\\\");
                case '\n' -> quoted.append("\\n");
                case '\r' -> quoted.append("\\r");
                case '\t' -> quoted.append("\\t");
                default -> {
                    if (c < 0x20) {
                        quoted.append(String.format("\\u%04x", (int) c));
                    } else {
                        quoted.append(c);
                    }
                }
            }
        }
        return quoted.append('"').toString();
    }
}

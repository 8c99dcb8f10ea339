package io.weft.samples.metrics;

import io.weft.samples.http.CannedResponse;
import io.weft.samples.http.HttpRequest;
import io.weft.samples.http.Responder;
import io.weft.samples.http.Route;
import java.nio.charset.StandardCharsets;

/**
 * {@code /block?ms=N} (only with {@code --demo-blocking}): sleeps N milliseconds (default 300, at
 * most 60 000) on the loop thread, which is exactly what a route must never do, so that the
 * watchdog's alarm can be seen: the log line with the stack (this class's {@code holdTheLoop}),
 * {@code weft_loop_blocked_total} and the JFR event {@code weft.BlockedLoop}. Every other
 * connection on that loop waits meanwhile. Answers which loop it blocked.
 */
final class BlockRoute implements Route {
    static final int DEFAULT_MILLIS = 300;
    static final int MAX_MILLIS = 60_000;
    private static final CannedResponse BAD_MS = CannedResponse.of(400, "Bad Request", "text/plain",
            "ms must be a whole number of milliseconds from 0 to " + MAX_MILLIS + "\n");

    @Override
    public void respond(HttpRequest request, Responder responder) {
        int millis = millis(request.query());
        if (millis < 0) {
            responder.send(BAD_MS);
            return;
        }
        holdTheLoop(millis);
        String body = "blocked loop '" + Thread.currentThread().getName() + "' for " + millis + " ms\n";
        responder.send(200, "OK", "text/plain", body.getBytes(StandardCharsets.UTF_8));
    }

    /** The frame the alarm's stack shows. */
    private static void holdTheLoop(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the loop is shutting down: let it see the interrupt
        }
    }

    /** The {@code ms} parameter of {@code query}, the default if absent, or -1 if it is bad. */
    static int millis(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("ms=")) {
                String value = parameter.substring(3);
                if (value.isEmpty() || value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    return -1;
                }
                int millis = Integer.parseInt(value);
                return millis <= MAX_MILLIS ? millis : -1;
            }
        }
        return DEFAULT_MILLIS;
    }
}

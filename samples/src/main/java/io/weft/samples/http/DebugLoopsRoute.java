package io.weft.samples.http;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * {@code /debug/loops}: a {@link io.weft.loop.core.LoopSnapshot} of every loop of the group as
 * JSON, {@code {"loops":[...]}}, for GET and HEAD: what each loop holds (listeners, connections,
 * timers, queued callbacks, parked virtual threads). The serving loop's own snapshot is built at
 * once; each other loop gets {@link #OTHER_LOOP_WAIT} to answer, which the serving loop waits
 * (a loop that does not answer in time shows its partial view: the task it is stuck in).
 */
public final class DebugLoopsRoute implements Route {
    /** How long the serving loop waits for each other loop's snapshot. */
    public static final Duration OTHER_LOOP_WAIT = Duration.ofMillis(50);
    private static final CannedResponse GET_OR_HEAD_ONLY = CannedResponse.of(405, "Method Not Allowed",
            "text/plain", "Method Not Allowed\n", "Allow: GET, HEAD");

    private final LoopGroup group;

    /** Serves the loops of {@code group}. */
    public DebugLoopsRoute(LoopGroup group) {
        this.group = group;
    }

    @Override
    public void respond(HttpRequest request, Responder responder) {
        switch (request.method()) {
            case GET, HEAD -> responder.send(200, "OK", "application/json", json().getBytes(StandardCharsets.UTF_8));
            default -> responder.send(GET_OR_HEAD_ONLY);
        }
    }

    private String json() {
        StringBuilder json = new StringBuilder("{\"loops\":[");
        boolean first = true;
        for (EventLoop loop : group) {
            json.append(first ? "" : ",").append(loop.view().snapshot(OTHER_LOOP_WAIT).toJson());
            first = false;
        }
        return json.append("]}\n").toString();
    }
}

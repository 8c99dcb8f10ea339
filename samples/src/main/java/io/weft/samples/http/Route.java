package io.weft.samples.http;

/**
 * Answers a complete request that the {@link Router} matched to a path. Runs on the connection's
 * loop thread and must not block; it answers exactly once through the {@link Responder}.
 */
@FunctionalInterface
public interface Route {

    /** Answers {@code request}; must call one of the responder's {@code send} methods once. */
    void respond(HttpRequest request, Responder responder);
}

package io.weft.samples.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Maps request paths to {@link Route}s by exact match, comparing the bytes in the read buffer so a
 * lookup allocates nothing. Paths not added go to the fallback route. Build it before the server
 * starts; after that it is only read, from any loop thread.
 */
public final class Router {
    private final List<byte[]> paths = new ArrayList<>();
    private final List<Route> routes = new ArrayList<>();
    private final Route fallback;

    /** A router that sends unknown paths to {@code fallback}. */
    public Router(Route fallback) {
        this.fallback = Objects.requireNonNull(fallback, "fallback");
    }

    /** Serves {@code path} (for example {@code /metrics}, no query) with {@code route}. */
    public Router add(String path, Route route) {
        Objects.requireNonNull(route, "route");
        if (!path.startsWith("/") || path.indexOf('?') >= 0) {
            throw new IllegalArgumentException("a route path starts with '/' and has no query, got '" + path + "'");
        }
        paths.add(path.getBytes(StandardCharsets.US_ASCII));
        routes.add(route);
        return this;
    }

    /** The route for the path in {@code buffer} between absolute indexes {@code from} and {@code to}. */
    Route match(ByteBuffer buffer, int from, int to) {
        int length = to - from;
        for (int i = 0; i < paths.size(); i++) {
            byte[] path = paths.get(i);
            if (path.length == length && Ascii.regionEquals(buffer, from, path)) {
                return routes.get(i);
            }
        }
        return fallback;
    }

    /** The route for {@code /}. */
    Route matchRoot() {
        for (int i = 0; i < paths.size(); i++) {
            if (paths.get(i).length == 1) {
                return routes.get(i);
            }
        }
        return fallback;
    }

    /** The route for unknown paths. */
    Route fallback() {
        return fallback;
    }
}

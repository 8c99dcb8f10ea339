package io.weft.samples.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Drives a {@link RequestParser} the way a connection does: bytes left unconsumed come back first
 * at the next read. Each read lands at a non-zero position in a larger buffer, so a parser that
 * mixes relative and absolute indexes fails. Events are recorded as short strings.
 */
final class ParserDriver {
    /** Named routes, so a test can tell which one a path matched. */
    record NamedRoute(String name) implements Route {
        @Override
        public void respond(HttpRequest request, Responder responder) {
            throw new UnsupportedOperationException("the parser tests do not respond");
        }

        @Override
        public String toString() {
            return name;
        }
    }

    static final NamedRoute ROOT = new NamedRoute("root");
    static final NamedRoute AB = new NamedRoute("ab");
    static final NamedRoute MISSING = new NamedRoute("404");

    final RequestParser parser;
    final List<String> events = new ArrayList<>();
    private ByteBuffer pending = ByteBuffer.allocate(0);
    private boolean failed;

    ParserDriver(HttpConfig config) {
        parser = new RequestParser(config, new Router(MISSING).add("/", ROOT).add("/a/b", AB));
    }

    ParserDriver() {
        this(HttpConfig.defaults());
    }

    /** Bytes of a test string, one byte per char (so {@code \u00e9} is the obs-text byte 0xE9). */
    static byte[] bytes(String raw) {
        return raw.getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Parses everything in one read. */
    static List<String> parseAll(String raw) {
        ParserDriver driver = new ParserDriver();
        driver.feed(bytes(raw));
        return driver.events;
    }

    ParserDriver feed(String raw) {
        return feed(bytes(raw));
    }

    ParserDriver feed(byte[] chunk) {
        return feed(chunk, 0, chunk.length);
    }

    /** One read of {@code chunk[from, to)}. */
    ParserDriver feed(byte[] chunk, int from, int to) {
        int offset = 7;
        ByteBuffer data = ByteBuffer.allocate(offset + pending.remaining() + (to - from) + 5);
        data.position(offset);
        data.put(pending).put(chunk, from, to - from);
        data.limit(data.position()).position(offset);
        while (!failed) {
            int event = parser.parse(data);
            if (event == RequestParser.NEED_MORE) {
                break;
            }
            if (event == RequestParser.REQUEST_DONE) {
                events.add(describe());
            } else if (event == RequestParser.ERROR) {
                events.add("error " + parser.errorStatus());
                failed = true;
            } else if (parser.expectContinue()) {
                events.add("continue");
            }
        }
        pending = failed ? ByteBuffer.allocate(0) : data.slice();
        return this;
    }

    /** Bytes the parser left for the next read. */
    int pendingBytes() {
        return pending.remaining();
    }

    private String describe() {
        return parser.method() + " " + parser.route() + " 1." + parser.minorVersion()
                + (parser.keepAlive() ? " keep-alive" : " close") + " cl=" + parser.contentLength();
    }
}

package io.weft.samples.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Parses HTTP/1.1 requests (RFC 9112) from a connection's read buffer, in place and incrementally:
 * a request may arrive split at any byte. One parser per connection, reused for every request on
 * it; it allocates nothing.
 *
 * <p>It relies on the {@code ConnectionHandler.onRead} contract: bytes it leaves unconsumed come
 * back, in order, at the start of the next call. The head is consumed only once complete, so the
 * parser keeps offsets relative to the buffer's position and resumes scanning where it stopped.
 * Bodies ({@code Content-Length} only) are consumed and discarded as they arrive.
 *
 * <p>Each {@link #parse} call returns one event; call it again until {@link #NEED_MORE} or
 * {@link #ERROR}. After {@link #ERROR} the connection must close: the parser does not know where
 * the next request would start.
 */
final class RequestParser implements HttpRequest {
    /** More bytes are needed; everything given so far is consumed or remembered. */
    static final int NEED_MORE = 0;
    /** A head with a body was parsed and consumed; the body follows (see {@link #expectContinue()}). */
    static final int HEAD_DONE = 1;
    /** A whole request (head and body) was consumed; the accessors describe it until the next call. */
    static final int REQUEST_DONE = 2;
    /** The request is malformed or over a limit; {@link #errorStatus()} says how to answer. */
    static final int ERROR = 3;

    private static final int LINE = 0;
    private static final int HEADERS = 1;
    private static final int BODY = 2;
    private static final int DONE = 3;
    private static final int FAILED = 4;
    /** RFC 9112 section 2.2: a server SHOULD ignore at least one empty line before the request line. */
    private static final int MAX_LEADING_EMPTY_LINES = 8;
    /** Longer method tokens exist in no registry; a line that starts with one is junk, not a long URI. */
    private static final int MAX_METHOD_LENGTH = 32;
    /** Content-Length digits: 18 fit in a long without overflow checks. */
    private static final int MAX_LENGTH_DIGITS = 18;

    private static final byte[] HTTP_SLASH = Ascii.bytes("HTTP/");
    private static final byte[] GET = Ascii.bytes("GET");
    private static final byte[] HEAD = Ascii.bytes("HEAD");
    private static final byte[] POST = Ascii.bytes("POST");
    private static final byte[] HOST = Ascii.bytes("host");
    private static final byte[] CONTENT_LENGTH = Ascii.bytes("content-length");
    private static final byte[] TRANSFER_ENCODING = Ascii.bytes("transfer-encoding");
    private static final byte[] CONNECTION = Ascii.bytes("connection");
    private static final byte[] EXPECT = Ascii.bytes("expect");
    private static final byte[] CLOSE = Ascii.bytes("close");
    private static final byte[] KEEP_ALIVE = Ascii.bytes("keep-alive");
    private static final byte[] CONTINUE = Ascii.bytes("100-continue");

    private final HttpConfig config;
    private final Router router;

    private int state;
    // Offsets relative to the buffer position at which the current message starts.
    private int scanned;
    private int lineStart;
    private int headersStart;
    private int emptyLines;
    private int headerCount;
    private int hostCount;
    private Method method;
    private Route route;
    private String query;
    private int minorVersion;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean transferEncoding;
    private boolean expectContinue;
    private boolean keepAlive;
    private long contentLength;
    private long bodyRemaining;
    private int errorStatus;

    RequestParser(HttpConfig config, Router router) {
        this.config = config;
        this.router = router;
        reset();
    }

    /** Parses from {@code buffer}'s position, consuming what it has dealt with; returns an event. */
    int parse(ByteBuffer buffer) {
        if (state == DONE) {
            reset();
        }
        if (state == FAILED) {
            return ERROR;
        }
        if (state == BODY) {
            return readBody(buffer);
        }
        int base = buffer.position();
        int limit = buffer.limit();
        while (true) {
            int lf = Ascii.indexOf(buffer, base + scanned, limit, (byte) '\n');
            if (lf < 0) {
                scanned = limit - base;
                return checkPartial(buffer, base, limit);
            }
            int from = base + lineStart;
            // RFC 9112 section 2.2: a bare LF MAY be taken as a line terminator; a bare CR elsewhere
            // is invalid, and the byte checks below reject it.
            int to = lf > from && buffer.get(lf - 1) == '\r' ? lf - 1 : lf;
            scanned = lf + 1 - base;
            lineStart = scanned;
            if (state == LINE) {
                if (to == from) {
                    if (++emptyLines > MAX_LEADING_EMPTY_LINES) {
                        return fail(400);
                    }
                    buffer.position(lf + 1);
                    base = lf + 1;
                    scanned = 0;
                    lineStart = 0;
                    continue;
                }
                if (to - from > config.maxRequestLine()) {
                    return fail(lineTooLongStatus(buffer, from, to));
                }
                int status = requestLine(buffer, from, to);
                if (status != 0) {
                    return fail(status);
                }
                state = HEADERS;
                headersStart = lineStart;
            } else {
                if (lineStart - headersStart > config.maxHeaderBytes()) {
                    return fail(431);
                }
                if (to == from) {
                    return endOfHead(buffer, lf + 1);
                }
                int status = headerLine(buffer, from, to);
                if (status != 0) {
                    return fail(status);
                }
            }
        }
    }

    /** Whether a request has begun but is not complete (for the head timeout). */
    boolean inRequest() {
        return state == BODY || ((state == LINE || state == HEADERS) && scanned > 0);
    }

    /** Whether the parser is inside a request body. */
    boolean inBody() {
        return state == BODY;
    }

    /** How many bytes of the body being read have arrived. */
    long bodyBytesRead() {
        return contentLength - bodyRemaining;
    }

    /** Whether the parser is inside a request head (not a body). */
    boolean inHead() {
        return (state == LINE || state == HEADERS) && scanned > 0;
    }

    @Override
    public Method method() {
        return method;
    }

    @Override
    public int minorVersion() {
        return minorVersion;
    }

    @Override
    public boolean keepAlive() {
        return keepAlive;
    }

    @Override
    public String query() {
        return query;
    }

    /** Whether the request's method is HEAD (its response carries no body); false if unknown. */
    boolean isHead() {
        return method == Method.HEAD;
    }

    /** The route the request's path matched, or null if the request line was not parsed. */
    Route route() {
        return route;
    }

    /** The Content-Length, or -1 if there was none. */
    long contentLength() {
        return contentLength;
    }

    /** Whether the client sent {@code Expect: 100-continue}. */
    boolean expectContinue() {
        return expectContinue;
    }

    /** After {@link #ERROR}: the status code to answer with before closing. */
    int errorStatus() {
        return errorStatus;
    }

    // ------------------------------------------------------------------ the head

    private int checkPartial(ByteBuffer buffer, int base, int limit) {
        int pending = limit - base - lineStart;
        if (state == LINE) {
            // Fail fast on what cannot be HTTP (a TLS handshake, binary junk) instead of waiting for a line end.
            if (pending > 0 && !Ascii.isToken(buffer.get(base + lineStart)) && buffer.get(base + lineStart) != '\r') {
                return fail(400);
            }
            if (pending > config.maxRequestLine() + 1) { // + 1: the CR of a CRLF still to come
                return fail(lineTooLongStatus(buffer, base + lineStart, limit));
            }
        } else if (limit - base - headersStart > config.maxHeaderBytes()) {
            return fail(431);
        }
        return NEED_MORE;
    }

    /** 414 when a plausible method and a space came first, so it is the target that is too long; else 400. */
    private static int lineTooLongStatus(ByteBuffer buffer, int from, int to) {
        int i = from;
        while (i < to && i - from <= MAX_METHOD_LENGTH && Ascii.isToken(buffer.get(i))) {
            i++;
        }
        return i > from && i < to && buffer.get(i) == ' ' ? 414 : 400;
    }

    private int requestLine(ByteBuffer buffer, int from, int to) {
        int methodEnd = from;
        while (methodEnd < to && Ascii.isToken(buffer.get(methodEnd))) {
            methodEnd++;
        }
        if (methodEnd == from || methodEnd == to || buffer.get(methodEnd) != ' ') {
            return 400;
        }
        method = methodOf(buffer, from, methodEnd);
        int targetStart = methodEnd + 1;
        int targetEnd = targetStart;
        while (targetEnd < to && Ascii.isTargetByte(buffer.get(targetEnd))) {
            targetEnd++;
        }
        if (targetEnd == targetStart || targetEnd == to || buffer.get(targetEnd) != ' ') {
            return 400;
        }
        int v = targetEnd + 1;
        if (to - v != 8 || !Ascii.regionEquals(buffer, v, HTTP_SLASH) || !isDigit(buffer.get(v + 5))
                || buffer.get(v + 6) != '.' || !isDigit(buffer.get(v + 7))) {
            return 400;
        }
        if (buffer.get(v + 5) != '1') {
            return 505;
        }
        // RFC 9110 section 6.2: a 1.x later than 1.1 is answered as the highest minor we speak.
        minorVersion = Math.min(buffer.get(v + 7) - '0', 1);
        route = routeOf(buffer, targetStart, targetEnd);
        return route == null ? 400 : 0;
    }

    private static Method methodOf(ByteBuffer buffer, int from, int to) {
        int length = to - from;
        if (length == 3 && Ascii.regionEquals(buffer, from, GET)) {
            return Method.GET;
        }
        if (length == 4 && Ascii.regionEquals(buffer, from, HEAD)) {
            return Method.HEAD;
        }
        if (length == 4 && Ascii.regionEquals(buffer, from, POST)) {
            return Method.POST;
        }
        return Method.OTHER;
    }

    /** RFC 9112 section 3.2: origin-form, absolute-form (path taken from it) and asterisk-form. */
    private Route routeOf(ByteBuffer buffer, int from, int to) {
        byte first = buffer.get(from);
        if (first == '/') {
            int query = Ascii.indexOf(buffer, from, to, (byte) '?');
            keepQuery(buffer, query, to);
            return router.match(buffer, from, query < 0 ? to : query);
        }
        if (first == '*' && to - from == 1) {
            return router.fallback();
        }
        int colon = Ascii.indexOf(buffer, from, to, (byte) ':');
        if (colon <= from || colon + 3 > to || buffer.get(colon + 1) != '/' || buffer.get(colon + 2) != '/') {
            return null; // authority-form (CONNECT) or junk
        }
        int pathStart = colon + 3;
        while (pathStart < to && buffer.get(pathStart) != '/' && buffer.get(pathStart) != '?') {
            pathStart++;
        }
        if (pathStart == to || buffer.get(pathStart) == '?') {
            return router.matchRoot(); // an empty path is "/"
        }
        int query = Ascii.indexOf(buffer, pathStart, to, (byte) '?');
        keepQuery(buffer, query, to);
        return router.match(buffer, pathStart, query < 0 ? to : query);
    }

    /** Copies the query, when there is one: only requests with a query allocate for it. */
    private void keepQuery(ByteBuffer buffer, int questionMark, int to) {
        if (questionMark >= 0 && questionMark + 1 < to) {
            byte[] bytes = new byte[to - questionMark - 1];
            buffer.get(questionMark + 1, bytes);
            query = new String(bytes, StandardCharsets.US_ASCII);
        }
    }

    private int headerLine(ByteBuffer buffer, int from, int to) {
        // RFC 9112 section 5.2: obs-fold is rejected with 400 (the alternative is to unfold it).
        if (Ascii.isWhitespace(buffer.get(from))) {
            return 400;
        }
        int colon = from;
        while (colon < to && Ascii.isToken(buffer.get(colon))) {
            colon++;
        }
        // RFC 9112 section 5.1: whitespace between name and colon MUST be rejected with 400.
        if (colon == from || colon == to || buffer.get(colon) != ':') {
            return 400;
        }
        if (++headerCount > config.maxHeaderCount()) {
            return 431;
        }
        int valueStart = colon + 1;
        int valueEnd = to;
        while (valueStart < valueEnd && Ascii.isWhitespace(buffer.get(valueStart))) {
            valueStart++;
        }
        while (valueEnd > valueStart && Ascii.isWhitespace(buffer.get(valueEnd - 1))) {
            valueEnd--;
        }
        for (int i = valueStart; i < valueEnd; i++) {
            if (!Ascii.isFieldValueByte(buffer.get(i))) {
                return 400;
            }
        }
        int nameLength = colon - from;
        if (nameLength == HOST.length && Ascii.equalsIgnoreCase(buffer, from, colon, HOST)) {
            // RFC 9112 section 3.2: more than one Host MUST be answered with 400.
            return ++hostCount > 1 ? 400 : 0;
        }
        if (nameLength == CONTENT_LENGTH.length && Ascii.equalsIgnoreCase(buffer, from, colon, CONTENT_LENGTH)) {
            return contentLengthField(buffer, valueStart, valueEnd);
        }
        if (nameLength == TRANSFER_ENCODING.length
                && Ascii.equalsIgnoreCase(buffer, from, colon, TRANSFER_ENCODING)) {
            transferEncoding = true;
            return 0;
        }
        if (nameLength == CONNECTION.length && Ascii.equalsIgnoreCase(buffer, from, colon, CONNECTION)) {
            connectionField(buffer, valueStart, valueEnd);
            return 0;
        }
        if (nameLength == EXPECT.length && Ascii.equalsIgnoreCase(buffer, from, colon, EXPECT)) {
            expectContinue = Ascii.equalsIgnoreCase(buffer, valueStart, valueEnd, CONTINUE);
        }
        return 0;
    }

    /**
     * RFC 9112 section 6.3 and RFC 9110 section 8.6: a list of identical values (in one field or
     * several) counts as that value; anything else that is not one decimal number is invalid.
     */
    private int contentLengthField(ByteBuffer buffer, int from, int to) {
        int i = from;
        do {
            while (i < to && Ascii.isWhitespace(buffer.get(i))) {
                i++;
            }
            int digitsStart = i;
            long value = 0;
            while (i < to && isDigit(buffer.get(i))) {
                if (i - digitsStart == MAX_LENGTH_DIGITS) {
                    return 400;
                }
                value = value * 10 + (buffer.get(i) - '0');
                i++;
            }
            if (i == digitsStart) {
                return 400;
            }
            if (contentLength >= 0 && contentLength != value) {
                return 400;
            }
            contentLength = value;
            while (i < to && Ascii.isWhitespace(buffer.get(i))) {
                i++;
            }
            if (i < to && buffer.get(i) != ',') {
                return 400;
            }
            i++;
        } while (i < to);
        return 0;
    }

    private void connectionField(ByteBuffer buffer, int from, int to) {
        int i = from;
        while (i < to) {
            int comma = Ascii.indexOf(buffer, i, to, (byte) ',');
            int end = comma < 0 ? to : comma;
            int start = i;
            while (start < end && Ascii.isWhitespace(buffer.get(start))) {
                start++;
            }
            int stop = end;
            while (stop > start && Ascii.isWhitespace(buffer.get(stop - 1))) {
                stop--;
            }
            if (Ascii.equalsIgnoreCase(buffer, start, stop, CLOSE)) {
                connectionClose = true;
            } else if (Ascii.equalsIgnoreCase(buffer, start, stop, KEEP_ALIVE)) {
                connectionKeepAlive = true;
            }
            i = end + 1;
        }
    }

    private int endOfHead(ByteBuffer buffer, int next) {
        // RFC 9112 section 6.1: we decode no transfer coding, so a body framed by one cannot be
        // found; with Content-Length as well the message is a smuggling attempt (section 6.3).
        if (transferEncoding) {
            return fail(contentLength >= 0 ? 400 : 501);
        }
        if (minorVersion >= 1 && hostCount == 0) {
            return fail(400);
        }
        if (contentLength > config.maxBodyBytes()) {
            return fail(413);
        }
        keepAlive = minorVersion >= 1 ? !connectionClose : connectionKeepAlive && !connectionClose;
        buffer.position(next);
        if (contentLength > 0) {
            bodyRemaining = contentLength;
            state = BODY;
            return HEAD_DONE;
        }
        state = DONE;
        return REQUEST_DONE;
    }

    private int readBody(ByteBuffer buffer) {
        int n = (int) Math.min(buffer.remaining(), bodyRemaining);
        buffer.position(buffer.position() + n);
        bodyRemaining -= n;
        if (bodyRemaining == 0) {
            state = DONE;
            return REQUEST_DONE;
        }
        return NEED_MORE;
    }

    private int fail(int status) {
        state = FAILED;
        errorStatus = status;
        keepAlive = false;
        return ERROR;
    }

    private void reset() {
        state = LINE;
        scanned = 0;
        lineStart = 0;
        headersStart = 0;
        emptyLines = 0;
        headerCount = 0;
        hostCount = 0;
        method = null;
        route = null;
        query = "";
        minorVersion = 1;
        connectionClose = false;
        connectionKeepAlive = false;
        transferEncoding = false;
        expectContinue = false;
        keepAlive = true;
        contentLength = -1;
        bodyRemaining = 0;
        errorStatus = 0;
    }

    private static boolean isDigit(byte b) {
        return b >= '0' && b <= '9';
    }
}

package io.weft.samples.kv;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Reads RESP2 requests from a stream, blocking until each is complete: a multibulk request
 * ({@code *2\r\n$3\r\nGET\r\n$1\r\nk\r\n}, what clients send) or an inline one ({@code PING\r\n},
 * what a person types into telnet). Give it a buffered stream: it reads byte by byte.
 *
 * <p>Lines end with CRLF; a bare LF is accepted as well. A bulk string must be followed by exactly
 * CRLF. Inline arguments are separated by spaces or tabs; quoting (as {@code redis-cli} offers) is
 * not supported inline. Not thread-safe: one reader per connection.
 */
public final class RespReader {
    private final InputStream in;
    private final RespLimits limits;
    private final QueryMemory memory;
    private byte[] line = new byte[INITIAL_LINE];
    /** What the request being read (or the last one read) holds of {@link #memory}. */
    private long reserved;

    private static final int INITIAL_LINE = 64;
    /** The array a bulk string is first read into, at most; it grows {@link #GROWTH}-fold as bytes arrive. */
    static final int FIRST_STEP = 64 * 1024;
    private static final int GROWTH = 4;

    /** Reads from {@code in} within {@code limits}, with no bound on memory beyond them (tests). */
    public RespReader(InputStream in, RespLimits limits) {
        this(in, limits, new QueryMemory(Long.MAX_VALUE, Long.MAX_VALUE));
    }

    /** Reads from {@code in} within {@code limits}, reserving each request's bulk strings in {@code memory}. */
    public RespReader(InputStream in, RespLimits limits, QueryMemory memory) {
        this.in = Objects.requireNonNull(in, "in");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.memory = Objects.requireNonNull(memory, "memory");
    }

    /** Gives back what the last request holds of the query memory; call when done with the reader. Idempotent. */
    public void release() {
        memory.release(reserved);
        reserved = 0;
    }

    /**
     * The next request's arguments (never empty), or {@code null} at a clean end of stream (before
     * a request began). Empty inline lines and empty multibulk requests ({@code *0}, {@code *-1})
     * are skipped, as Redis does.
     *
     * <p>The request returned holds its share of the query memory until the next call (or {@link
     * #release()}); a failed call holds nothing.
     *
     * @throws RespProtocolException for a malformed frame or one over the limits (the query memory's included)
     * @throws EOFException if the stream ends inside a request
     */
    public List<byte[]> read() throws IOException {
        release(); // the previous request is done
        try {
            return next();
        } catch (IOException | RuntimeException e) {
            release();
            throw e;
        }
    }

    private List<byte[]> next() throws IOException {
        while (true) {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            List<byte[]> request = first == '*' ? multibulk() : inline(first);
            if (!request.isEmpty()) {
                return request;
            }
        }
    }

    private List<byte[]> multibulk() throws IOException {
        long count = number(readLine("too big mbulk count string"), "invalid multibulk length");
        if (count > limits.maxArrayElements()) {
            throw new RespProtocolException("invalid multibulk length");
        }
        if (count <= 0) {
            return List.of();
        }
        // Presize from the claim only up to a point: a header alone must not allocate much.
        List<byte[]> args = new ArrayList<>((int) Math.min(count, 64));
        for (long i = 0; i < count; i++) {
            int type = in.read();
            if (type < 0) {
                throw new EOFException("end of stream inside a request");
            }
            if (type != '$') {
                throw new RespProtocolException("expected '$', got '" + printable(type) + "'");
            }
            long length = number(readLine("too big bulk count string"), "invalid bulk length");
            if (length < 0 || length > limits.maxBulkBytes()) {
                throw new RespProtocolException("invalid bulk length");
            }
            memory.reserve(length + QueryMemory.ARGUMENT_OVERHEAD, reserved);
            reserved += length + QueryMemory.ARGUMENT_OVERHEAD;
            byte[] bulk = bulk((int) length);
            int cr = in.read();
            int lf = in.read();
            if (cr < 0 || lf < 0) {
                throw new EOFException("end of stream inside a request");
            }
            if (cr != '\r' || lf != '\n') {
                throw new RespProtocolException("bulk string not followed by CRLF");
            }
            args.add(bulk);
        }
        return args;
    }

    /**
     * Reads a bulk string of {@code length} bytes into an array of exactly that size, grown in steps
     * as its bytes arrive: a claim costs what was sent (at most {@link #FIRST_STEP} before any byte),
     * and while it is read the value and its previous step together hold at most 1.25 times its
     * length (reading into chunks and joining them would hold twice).
     */
    private byte[] bulk(int length) throws IOException {
        byte[] bulk = new byte[Math.min(length, FIRST_STEP)];
        int n = 0;
        while (n < length) {
            if (n == bulk.length) {
                bulk = Arrays.copyOf(bulk, (int) Math.min(length, (long) bulk.length * GROWTH));
            }
            int read = in.read(bulk, n, bulk.length - n);
            if (read < 0) {
                throw new EOFException("end of stream inside a bulk string");
            }
            n += read;
        }
        return bulk;
    }

    private List<byte[]> inline(int first) throws IOException {
        int length;
        if (first == '\n') {
            length = 0;
        } else {
            line[0] = (byte) first;
            length = 1 + readLineInto(1, "too big inline request");
        }
        List<byte[]> args = new ArrayList<>(4);
        int i = 0;
        while (i < length) {
            while (i < length && isBlank(line[i])) {
                i++;
            }
            int start = i;
            while (i < length && !isBlank(line[i])) {
                i++;
            }
            if (i > start) {
                args.add(Arrays.copyOfRange(line, start, i));
            }
        }
        return args;
    }

    private static boolean isBlank(byte b) {
        return b == ' ' || b == '\t' || b == '\r';
    }

    /** The header line after its type byte, as a length. */
    private int readLine(String tooLong) throws IOException {
        return readLineInto(0, tooLong);
    }

    /** Reads up to LF into {@link #line} from {@code offset}; the count of bytes before the line end (CR dropped). */
    private int readLineInto(int offset, String tooLong) throws IOException {
        int n = offset;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("end of stream inside a request");
            }
            if (b == '\n') {
                if (n > 0 && line[n - 1] == '\r') {
                    n--;
                }
                return n - offset;
            }
            int max = limits.maxLineBytes() + 1; // and the CR of the CRLF
            if (n == max || (n == max - 1 && b != '\r')) {
                throw new RespProtocolException(tooLong);
            }
            if (n == line.length) {
                line = Arrays.copyOf(line, Math.min(max, line.length * 2)); // grows only for long lines
            }
            line[n++] = (byte) b;
        }
    }

    /** Parses {@link #line}[0, length) as a decimal long ({@code -?[0-9]+}, at most 18 digits). */
    private long number(int length, String error) throws RespProtocolException {
        int i = 0;
        boolean negative = length > 0 && line[0] == '-';
        if (negative) {
            i++;
        }
        if (i == length || length - i > 18) {
            throw new RespProtocolException(error);
        }
        long value = 0;
        for (; i < length; i++) {
            int digit = line[i] - '0';
            if (digit < 0 || digit > 9) {
                throw new RespProtocolException(error);
            }
            value = value * 10 + digit;
        }
        return negative ? -value : value;
    }

    private static String printable(int b) {
        return b >= 0x21 && b < 0x7f ? String.valueOf((char) b) : String.format("\\x%02x", b);
    }
}

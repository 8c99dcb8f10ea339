package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class RespReaderTest {
    private static final RespLimits SMALL = new RespLimits(16, 4, 32);

    /** A stream that hands out its bytes in the given chunk sizes (then one at a time), as a socket may. */
    static final class Chunked extends InputStream {
        private final byte[] bytes;
        private final int[] chunks;
        private int pos;
        private int chunk;

        Chunked(byte[] bytes, int... chunks) {
            this.bytes = bytes;
            this.chunks = chunks;
        }

        @Override
        public int read() {
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (pos == bytes.length) {
                return -1;
            }
            int size = chunk < chunks.length ? chunks[chunk++] : 1;
            int n = Math.min(Math.min(len, size), bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static List<List<String>> readAll(InputStream in, RespLimits limits) throws IOException {
        RespReader reader = new RespReader(in, limits);
        List<List<String>> requests = new ArrayList<>();
        for (List<byte[]> r; (r = reader.read()) != null; ) {
            requests.add(r.stream().map(b -> new String(b, StandardCharsets.ISO_8859_1)).toList());
        }
        return requests;
    }

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of("multibulk", "*1\r\n$4\r\nPING\r\n", List.of(List.of("PING"))),
                Arguments.of("two arguments", "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n", List.of(List.of("GET", "k"))),
                Arguments.of("empty bulk", "*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n", List.of(List.of("SET", "k", ""))),
                Arguments.of("binary bulk with CRLF inside", "*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\0\377\r\n",
                        List.of(List.of("ECHO", "\r\n\0\377"))),
                Arguments.of("pipelined", "*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\nPING\r\n",
                        List.of(List.of("PING"), List.of("INCR", "n"), List.of("PING"))),
                Arguments.of("inline", "PING\r\n", List.of(List.of("PING"))),
                Arguments.of("inline, bare LF, blanks", "  SET\tk  v \nGET k\r\n",
                        List.of(List.of("SET", "k", "v"), List.of("GET", "k"))),
                Arguments.of("empty lines and empty arrays are skipped", "\r\n\n*0\r\n*-1\r\nPING\r\n",
                        List.of(List.of("PING"))),
                Arguments.of("headers may end in a bare LF", "*1\n$4\nPING\r\n", List.of(List.of("PING"))),
                Arguments.of("nothing", "", List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void readsValidRequestsWhateverTheReadsSplitThemInto(String name, String input, List<List<String>> expected)
            throws IOException {
        byte[] bytes = ascii(input);
        assertThat(readAll(new ByteArrayInputStream(bytes), RespLimits.defaults())).isEqualTo(expected);
        assertThat(readAll(new Chunked(bytes), RespLimits.defaults())).as("one byte per read").isEqualTo(expected);
        for (int split = 1; split < bytes.length; split++) {
            assertThat(readAll(new Chunked(bytes, split, bytes.length), RespLimits.defaults()))
                    .as("split at %d", split).isEqualTo(expected);
        }
    }

    static Stream<Arguments> malformed() {
        return Stream.of(
                Arguments.of("array length not a number", "*x\r\n", "invalid multibulk length"),
                Arguments.of("array length empty", "*\r\n", "invalid multibulk length"),
                Arguments.of("array length with 19 digits", "*1000000000000000000\r\n", "invalid multibulk length"),
                Arguments.of("element not a bulk string", "*1\r\n+PING\r\n", "expected '$', got '+'"),
                Arguments.of("element type a control byte", "*1\r\n\0", "expected '$', got '\\x00'"),
                Arguments.of("bulk length not a number", "*1\r\n$4x\r\nPING\r\n", "invalid bulk length"),
                Arguments.of("bulk length negative", "*1\r\n$-1\r\n", "invalid bulk length"),
                Arguments.of("bulk longer than its length", "*1\r\n$3\r\nPING\r\n", "bulk string not followed by CRLF"),
                Arguments.of("bulk followed by LF only", "*1\r\n$4\r\nPING\n*", "bulk string not followed by CRLF"),
                Arguments.of("over the bulk limit", "*1\r\n$17\r\n", "invalid bulk length"),
                Arguments.of("over the element limit", "*5\r\n", "invalid multibulk length"),
                Arguments.of("header line over the line limit", "*" + "0".repeat(40) + "1\r\n", "too big mbulk count string"),
                Arguments.of("inline line over the line limit", "PING " + "x".repeat(40) + "\r\n", "too big inline request"),
                Arguments.of("over RESP's 512 MiB ceiling", "*1\r\n$536870913\r\n", "invalid bulk length"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void refusesMalformedFramesAndFramesOverTheLimits(String name, String input, String message) {
        RespLimits limits = input.contains("536870913") ? RespLimits.defaults().withMaxBulkBytes(RespLimits.BULK_CEILING)
                : SMALL;
        assertThatThrownBy(() -> readAll(new ByteArrayInputStream(ascii(input)), limits))
                .isInstanceOf(RespProtocolException.class).hasMessage(message);
    }

    @Test
    void requestsAtTheLimitsAreRead() throws IOException {
        String bulk16 = "b".repeat(16);
        String input = "*4\r\n$3\r\nSET\r\n$16\r\n" + bulk16 + "\r\n$1\r\nv\r\n$0\r\n\r\n" + "x".repeat(32) + "\r\n";
        assertThat(readAll(new ByteArrayInputStream(ascii(input)), SMALL))
                .containsExactly(List.of("SET", bulk16, "v", ""), List.of("x".repeat(32)));
    }

    @Test
    void aStreamEndingInsideARequestIsAnEofNotARequest() {
        for (String cut : List.of("*", "*2\r\n", "*2\r\n$3\r\nGE", "*2\r\n$3\r\nGET\r", "*2\r\n$3\r\nGET\r\n", "PING")) {
            assertThatThrownBy(() -> readAll(new ByteArrayInputStream(ascii(cut)), RespLimits.defaults()))
                    .as(cut).isInstanceOf(EOFException.class);
        }
    }

    @Test
    void aLargeClaimAllocatesNothingUntilTheBytesArrive() throws IOException {
        // 1M arguments and 64 MiB claimed, 3 bytes sent: readNBytes must not have allocated the claim up front (an OOM here would fail).
        for (int i = 0; i < 100; i++) {
            byte[] claim = ascii("*1048576\r\n$67108864\r\nabc");
            assertThatThrownBy(() -> readAll(new Chunked(claim, claim.length), RespLimits.defaults()))
                    .isInstanceOf(EOFException.class);
        }
    }

    @Test
    void writesEveryReplyType() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(bytes);
        w.ok();
        w.simple("PONG");
        w.error("ERR bad\r\nthing");
        w.integer(0);
        w.integer(-42);
        w.integer(Long.MIN_VALUE);
        w.integer(Long.MAX_VALUE);
        w.bulk(ascii("a\r\nb"));
        w.bulk(new byte[0]);
        w.bulk(null);
        w.arrayHeader(2);
        w.arrayHeader(0);
        w.flush();
        assertThat(bytes.toString(StandardCharsets.ISO_8859_1)).isEqualTo(
                "+OK\r\n+PONG\r\n-ERR bad  thing\r\n:0\r\n:-42\r\n:-9223372036854775808\r\n:9223372036854775807\r\n"
                        + "$4\r\na\r\nb\r\n$0\r\n\r\n$-1\r\n*2\r\n*0\r\n");
    }

    @Test
    void whatTheWriterWritesTheReaderReadsBack() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        RespWriter w = new RespWriter(bytes);
        byte[][] args = {ascii("SET"), ascii("key"), new byte[] {0, '\r', '\n', (byte) 0xff}};
        w.arrayHeader(args.length);
        for (byte[] a : args) {
            w.bulk(a);
        }
        List<byte[]> read = new RespReader(new ByteArrayInputStream(bytes.toByteArray()), RespLimits.defaults()).read();
        assertThat(read).hasSize(3);
        for (int i = 0; i < args.length; i++) {
            assertThat(Arrays.equals(read.get(i), args[i])).isTrue();
        }
    }

    @Test
    void aBulkStringIsReadIntoItsOwnArrayWithoutHoldingItTwice() throws IOException {
        int size = 16 << 20;
        byte[] header = ascii("*2\r\n$3\r\nSET\r\n$" + size + "\r\n");
        byte[] frame = new byte[header.length + size + 2];
        System.arraycopy(header, 0, frame, 0, header.length);
        int end = header.length + size;
        frame[end] = '\r';
        frame[end + 1] = '\n';
        int[] reads = new int[frame.length / (64 * 1024) + 1];
        Arrays.fill(reads, 64 * 1024); // as a socket hands out what arrived
        RespReader reader = new RespReader(new Chunked(frame, reads), RespLimits.defaults());
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        List<byte[]> request = reader.read();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(request.get(1)).hasSize(size);
        // Growing in steps of 4 costs a third more than the value; reading chunks and joining them cost twice.
        assertThat(allocated).as("bytes allocated to read a %d-byte bulk string", size).isLessThan(size * 3L / 2);
    }
}

package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the kv connection's buffers cost: a short exchange costs short buffers. */
class IdleFreeStreamsTest {
    /** A socket-like source: nothing ready until read, then what it holds; records each read's length. */
    private static final class Source extends InputStream {
        private final byte[] bytes;
        private int pos;
        final List<Integer> asked = new ArrayList<>();

        Source(String text) {
            this.bytes = text.getBytes(StandardCharsets.ISO_8859_1);
        }

        @Override
        public int read() {
            asked.add(1);
            return pos < bytes.length ? bytes[pos++] & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            asked.add(len);
            if (pos == bytes.length) {
                return -1;
            }
            int n = Math.min(len, bytes.length - pos);
            System.arraycopy(bytes, pos, b, off, n);
            pos += n;
            return n;
        }

        @Override
        public int available() {
            return 0; // as a socket whose reader waits: the bytes arrive during the read
        }
    }

    /** A sink that records each write. */
    private static final class Sink extends ByteArrayOutputStream {
        final List<Integer> writes = new ArrayList<>();

        Sink() {
            super(64 * 1024);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            writes.add(len);
            super.write(b, off, len);
        }
    }

    @Test
    void anIdleInputWaitsWithARequestSizedReadNotAOneByteOne() throws IOException {
        Source source = new Source("*1\r\n$4\r\nPING\r\n");
        IdleFreeInput in = new IdleFreeInput(source, () -> true);
        assertThat(in.read()).isEqualTo('*');
        // A one-byte wait left the rest of the request for the socket to buffer (8 KiB each time).
        assertThat(source.asked).containsExactly(IdleFreeInput.WAIT_BUFFER);
        assertThat(new String(in.readNBytes(13), StandardCharsets.ISO_8859_1)).isEqualTo("1\r\n$4\r\nPING\r\n");
        assertThat(source.asked).as("the whole request came in the first read").hasSize(1);
    }

    @Test
    void releaseLetsTheBufferGoOnlyWhenNothingIsBuffered() throws IOException {
        IdleFreeInput in = new IdleFreeInput(new Source("PING\r\nPING\r\n"), () -> true);
        assertThat(new String(in.readNBytes(6), StandardCharsets.ISO_8859_1)).isEqualTo("PING\r\n");
        assertThatThrownBy(in::release).isInstanceOf(IllegalStateException.class)
                .hasMessage("6 bytes are still buffered; read them first");
        assertThat(new String(in.readNBytes(6), StandardCharsets.ISO_8859_1)).isEqualTo("PING\r\n");
        in.release();
        assertThat(in.read()).as("a read after the release still works").isEqualTo(-1);
    }

    @Test
    void aShortReplyCostsAShortBuffer() throws IOException {
        Sink sink = new Sink();
        IdleFreeOutput out = new IdleFreeOutput(sink);
        byte[] pong = "+PONG\r\n".getBytes(StandardCharsets.ISO_8859_1);
        out.write(pong); // warm up the path: class loading allocates too
        out.flush();
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        out.write(pong);
        out.flush();
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated for a 7-byte reply").isLessThan(1024);
    }

    @Test
    void aBatchGrowsItsBufferAndIsSentInOneWrite() throws IOException {
        Sink sink = new Sink();
        IdleFreeOutput out = new IdleFreeOutput(sink);
        byte[] reply = new byte[100];
        for (int i = 0; i < 100; i++) {
            Arrays.fill(reply, (byte) i);
            out.write(reply);
        }
        out.flush();
        assertThat(sink.writes).containsExactly(10_000);
        byte[] sent = sink.toByteArray();
        for (int i = 0; i < 100; i++) {
            assertThat(sent[i * 100]).isEqualTo((byte) i);
            assertThat(sent[i * 100 + 99]).isEqualTo((byte) i);
        }
    }

    @Test
    void aBatchPastTheLargestBufferIsSentInBufferSizedWritesInOrder() throws IOException {
        Sink sink = new Sink();
        IdleFreeOutput out = new IdleFreeOutput(sink);
        byte[] reply = new byte[1000];
        for (int i = 0; i < 40; i++) {
            Arrays.fill(reply, (byte) i);
            out.write(reply);
        }
        out.flush();
        assertThat(sink.writes.stream().mapToInt(Integer::intValue).sum()).isEqualTo(40_000);
        assertThat(sink.writes).allSatisfy(n -> assertThat(n).isLessThanOrEqualTo(IdleFreeOutput.BUFFER));
        byte[] sent = sink.toByteArray();
        for (int i = 0; i < 40; i++) {
            assertThat(sent[i * 1000]).isEqualTo((byte) i);
            assertThat(sent[i * 1000 + 999]).isEqualTo((byte) i);
        }
    }
}

package io.weft.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RequestCounterTest {
    private static final byte[] GET = "GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nAccept: */*\r\n\r\n"
            .getBytes(StandardCharsets.US_ASCII);

    private static byte[] pipelined(int requests) {
        byte[] all = new byte[GET.length * requests];
        for (int i = 0; i < requests; i++) {
            System.arraycopy(GET, 0, all, i * GET.length, GET.length);
        }
        return all;
    }

    @Test
    void countsEachPipelinedRequestOnce() {
        assertThat(new RequestCounter().count(ByteBuffer.wrap(pipelined(16)))).isEqualTo(16);
        assertThat(new RequestCounter().count(pipelined(16), 0, 16 * GET.length)).isEqualTo(16);
    }

    @Test
    void consumesTheWholeBuffer() {
        ByteBuffer data = ByteBuffer.wrap(pipelined(2), 0, GET.length + 5);
        new RequestCounter().count(data);
        assertThat(data.hasRemaining()).isFalse();
    }

    @Test
    void findsTerminatorsSplitAtEveryByte() {
        byte[] stream = pipelined(3);
        for (int split = 0; split <= stream.length; split++) {
            RequestCounter buffers = new RequestCounter();
            RequestCounter arrays = new RequestCounter();
            int total = buffers.count(ByteBuffer.wrap(stream, 0, split))
                    + buffers.count(ByteBuffer.wrap(stream, split, stream.length - split));
            int totalArrays = arrays.count(stream, 0, split) + arrays.count(stream, split, stream.length - split);
            assertThat(total).as("split at %d", split).isEqualTo(3);
            assertThat(totalArrays).as("split at %d", split).isEqualTo(3);
        }
    }

    @Test
    void countsOneByteAtATime() {
        RequestCounter counter = new RequestCounter();
        int requests = 0;
        for (byte b : pipelined(16)) {
            if (counter.feed(b)) {
                requests++;
            }
        }
        assertThat(requests).isEqualTo(16);
    }

    @Test
    void aStrayCarriageReturnDoesNotHideTheTerminator() {
        byte[] odd = "GET / HTTP/1.1\r\r\n\r\nX\r\n\r\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(new RequestCounter().count(ByteBuffer.wrap(odd))).isEqualTo(2);
    }

    @Test
    void lineEndsAloneAreNoRequest() {
        byte[] partial = "GET / HTTP/1.1\r\nHost: x\r\n\n\r\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(new RequestCounter().count(ByteBuffer.wrap(partial))).isZero();
    }
}

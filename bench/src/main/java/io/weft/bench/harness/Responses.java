package io.weft.bench.harness;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The one response every raw bench server sends, and a read-only block of {@link #BATCH} copies
 * of it, so that a server answers the n requests of one read with a single slice.
 */
final class Responses {
    static final byte[] HELLO = ("HTTP/1.1 200 OK\r\n"
            + "Content-Length: 13\r\n"
            + "Content-Type: text/plain\r\n"
            + "\r\n"
            + "Hello, World!").getBytes(StandardCharsets.US_ASCII);

    /** Responses in the pre-filled block; a read holding more requests is answered in blocks. */
    static final int BATCH = 64;

    private Responses() {
    }

    /** {@code copies} back-to-back copies of {@link #HELLO}. */
    static byte[] repeated(int copies) {
        byte[] block = new byte[HELLO.length * copies];
        for (int i = 0; i < copies; i++) {
            System.arraycopy(HELLO, 0, block, i * HELLO.length, HELLO.length);
        }
        return block;
    }

    /** A direct, read-only buffer of {@link #BATCH} responses, shared by all connections. */
    static ByteBuffer directBlock() {
        byte[] block = repeated(BATCH);
        return ByteBuffer.allocateDirect(block.length).put(block).flip().asReadOnlyBuffer();
    }
}

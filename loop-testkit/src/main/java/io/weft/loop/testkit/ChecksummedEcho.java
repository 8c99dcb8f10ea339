package io.weft.loop.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/** A large transfer through a peer that echoes it, checked by CRC32 rather than kept in memory. */
public final class ChecksummedEcho {
    private static final int CHUNK = 32 * 1024;

    private ChecksummedEcho() {
    }

    /**
     * Writes {@code bytes} random bytes (seeded, in 32 KiB writes) to {@code out} on a thread of
     * {@code writers} while the calling thread reads as many back from {@code in}, then asserts that
     * the CRC32 of what came back is that of what was sent. Leaves both streams open.
     *
     * @param in where the echo comes back
     * @param out where the bytes go to the echoing peer
     * @param bytes how many bytes, a multiple of 32 KiB
     * @param writers runs the writer, concurrently with the reads
     * @throws Exception if a read or the writer fails, or the writer is not done 60 s after the last byte came back
     * @throws AssertionError if the stream ends early or the checksums differ
     */
    public static void assertEchoed(InputStream in, OutputStream out, long bytes, Executor writers) throws Exception {
        if (bytes % CHUNK != 0) {
            throw new IllegalArgumentException("bytes must be a multiple of " + CHUNK + ", got " + bytes);
        }
        CRC32 sent = new CRC32();
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                Random random = new Random(42);
                byte[] chunk = new byte[CHUNK];
                for (long left = bytes; left > 0; left -= chunk.length) {
                    random.nextBytes(chunk);
                    sent.update(chunk);
                    out.write(chunk);
                }
                out.flush();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, writers);
        CRC32 received = new CRC32();
        byte[] buffer = new byte[64 * 1024];
        for (long total = 0; total < bytes; ) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, bytes - total));
            assertThat(n).as("bytes echoed before the end, after %d of %d", total, bytes).isPositive();
            received.update(buffer, 0, n);
            total += n;
        }
        writer.get(60, TimeUnit.SECONDS);
        assertThat(received.getValue()).as("CRC32 of the echo").isEqualTo(sent.getValue());
    }
}

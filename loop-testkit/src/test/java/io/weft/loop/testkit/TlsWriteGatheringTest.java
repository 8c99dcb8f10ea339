package io.weft.loop.testkit;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.core.net.tls.TlsServer;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The writes a handler makes in one onRead call leave as one TLS record, not one record each (the
 * n responses to n pipelined requests): counted in the bytes the server's loop wrote, since every
 * TLS 1.3 record of the session adds the same overhead (header, inner content type, AEAD tag),
 * measured here on a one-byte write.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsWriteGatheringTest {
    private static final int WRITES = 16;
    private static final int WRITE_SIZE = 10;

    @Test
    void theWritesOfOneOnReadCallLeaveAsOneRecord() throws Exception {
        TlsConfig config = TlsConfig.builder().protocols("TLSv1.3")
                .certificates(new CertificateStore().loadPem(file("server.pem"), file("server.key"))).build();
        try (LoopGroup group = LoopGroup.builder().size(1).name("tls-gather").poller("nio").build();
                TlsServer server = TlsServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                        TcpOptions.defaults(), config, () -> (connection, data) -> {
                            // 'a': one byte back; anything else: WRITES writes of WRITE_SIZE bytes each
                            int writes = data.get(data.position()) == 'a' ? 1 : WRITES;
                            int size = writes == 1 ? 1 : WRITE_SIZE;
                            data.position(data.limit());
                            for (int i = 0; i < writes; i++) {
                                connection.write(ByteBuffer.wrap(new byte[size]));
                            }
                        })) {
            EventLoop loop = group.next();
            TlsConfig client = TlsConfig.builder().trustPem(file("ca.pem")).build();
            try (Socket raw = new Socket(InetAddress.getLoopbackAddress(), ((InetSocketAddress) server.localAddress()).getPort());
                    SSLSocket socket = (SSLSocket) client.sslContext().getSocketFactory()
                            .createSocket(raw, "localhost", raw.getPort(), true)) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                InputStream in = socket.getInputStream();
                out.write('a'); // a first round trip: the handshake and the session ticket are behind us
                out.flush();
                assertThat(in.readNBytes(1)).hasSize(1);
                // One record of one byte, three times: what a record adds is the smallest of the three
                // (the server's NewSessionTicket may leave after the first answer, on a loaded machine,
                // and then counts in one of them; there is one ticket, so at most one is off).
                long before = written(loop, 1);
                long recordOverhead = Long.MAX_VALUE;
                for (int i = 0; i < 3; i++) {
                    out.write('a');
                    out.flush();
                    assertThat(in.readNBytes(1)).hasSize(1);
                    long after = written(loop, before + 2);
                    recordOverhead = Math.min(recordOverhead, after - before - 1);
                    before = after;
                }

                out.write('b');
                out.flush();
                assertThat(in.readNBytes(WRITES * WRITE_SIZE)).hasSize(WRITES * WRITE_SIZE);
                int plaintext = WRITES * WRITE_SIZE;
                assertThat(written(loop, before + plaintext + recordOverhead) - before)
                        .as("bytes on the wire for %d writes of %d bytes in one onRead call (%d per record)",
                                WRITES, WRITE_SIZE, recordOverhead)
                        .isEqualTo(plaintext + recordOverhead);
            }
        }
    }

    /** The bytes the loop wrote, once they reach {@code atLeast} (the loop thread's counter is read from here). */
    private static long written(EventLoop loop, long atLeast) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long value;
        while ((value = TcpStats.of(loop).bytesWritten()) < atLeast && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return value;
    }
}

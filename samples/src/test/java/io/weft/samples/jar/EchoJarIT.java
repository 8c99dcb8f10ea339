package io.weft.samples.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** weft-echo.jar, started with java -jar, echoes every byte a plain socket sends, on each poller. */
@Timeout(120)
class EchoJarIT {

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void echoesEveryByte(String poller) throws Exception {
        byte[] sent = new byte[256 * 1024];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 251);
        }
        try (SampleJar echo = SampleJar.start("echo", "--poller", poller);
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", echo.port()));
            // Writes from another thread: the echo comes back while the rest is still being sent.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(sent);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });

            byte[] received = socket.getInputStream().readNBytes(sent.length);
            writer.join();

            assertThat(received).isEqualTo(sent);
            assertThat(echo.stop()).contains("weft echo stopped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll"})
    void echoesOnAUnixSocket(String poller, @TempDir Path dir) throws Exception {
        Path socket = dir.resolve("echo.sock");
        try (SampleJar echo = SampleJar.startUnix("echo", socket, "--poller", poller);
                SocketChannel client = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer sent = ByteBuffer.wrap("hello over a unix socket".getBytes(StandardCharsets.UTF_8));
            client.write(sent);
            ByteBuffer received = ByteBuffer.allocate(sent.capacity());
            while (received.hasRemaining() && client.read(received) >= 0) {
                // until all of it is back
            }

            assertThat(received.array()).isEqualTo(sent.array());
            assertThat(echo.stop()).contains("weft echo stopped");
            assertThat(socket).as("the socket file after the stop").doesNotExist();
        }
    }
}

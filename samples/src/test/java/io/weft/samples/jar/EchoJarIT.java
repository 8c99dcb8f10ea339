package io.weft.samples.jar;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import org.junit.jupiter.api.Timeout;
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
}

package io.weft.samples.jar;

import static io.weft.loop.testkit.TestCertificates.file;
import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.net.tls.TlsConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** weft-echo.jar, started with java -jar, echoes every byte, plain or over TLS, in each style and on each poller. */
@Timeout(120)
class EchoJarIT {

    private static byte[] pattern() {
        byte[] sent = new byte[256 * 1024];
        for (int i = 0; i < sent.length; i++) {
            sent[i] = (byte) (i * 31 + i / 251);
        }
        return sent;
    }

    /** Writes {@code sent} from another thread (the echo comes back while the rest is still being sent) and reads it back. */
    private static byte[] echo(Socket socket, byte[] sent) throws Exception {
        Thread writer = Thread.ofVirtual().start(() -> {
            try {
                socket.getOutputStream().write(sent);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        byte[] received = socket.getInputStream().readNBytes(sent.length);
        writer.join();
        return received;
    }

    @ParameterizedTest
    @CsvSource({"nio, loop", "epoll, loop", "nio, vthreads", "epoll, vthreads"})
    void echoesEveryByte(String poller, String style) throws Exception {
        byte[] sent = pattern();
        try (SampleJar echo = SampleJar.start("echo", "--poller", poller, "--style", style);
                Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", echo.port()));

            assertThat(echo(socket, sent)).isEqualTo(sent);
            assertThat(echo.stop()).contains("weft echo stopped");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"loop", "vthreads"})
    void echoesEveryByteOverTlsToTheJdkAndToOpensslSClient(String style) throws Exception {
        byte[] sent = pattern();
        try (SampleJar echo = SampleJar.start("echo", "--style", style,
                "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.key").toString())) {
            TlsConfig trust = TlsConfig.builder().trustPem(file("ca.pem")).build();
            try (SSLSocket socket = (SSLSocket) trust.sslContext().getSocketFactory().createSocket("127.0.0.1", echo.port())) {
                socket.setSoTimeout(30_000);
                assertThat(echo(socket, sent)).isEqualTo(sent);
                socket.shutdownOutput(); // close_notify: the echo ends its side with its own
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }

            Process sClient = new ProcessBuilder("openssl", "s_client", "-connect", "127.0.0.1:" + echo.port(),
                    "-CAfile", file("ca.pem").toString(), "-verify_return_error", "-servername", "localhost")
                    .redirectErrorStream(true).start();
            sClient.getOutputStream().write("hello over tls\n".getBytes(StandardCharsets.US_ASCII));
            sClient.getOutputStream().flush();
            StringBuilder output = new StringBuilder();
            BufferedReader lines = new BufferedReader(new InputStreamReader(sClient.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = lines.readLine()) != null && !line.equals("hello over tls")) {
                output.append(line).append('\n');
            }
            sClient.getOutputStream().close(); // s_client sends close_notify and exits
            lines.lines().forEach(rest -> output.append(rest).append('\n'));
            assertThat(line).as(output.toString()).isEqualTo("hello over tls");
            assertThat(sClient.waitFor()).as(output.toString()).isZero();
            assertThat(output.toString()).contains("Verify return code: 0 (ok)", "Protocol  : TLSv1.3");
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

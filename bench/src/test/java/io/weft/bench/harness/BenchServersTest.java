package io.weft.bench.harness;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.testkit.TestCertificates;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The raw servers answer one fixed response per request, in order, whatever the read boundaries. */
class BenchServersTest {
    private static final byte[] GET = "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private static byte[] requests(int count) {
        byte[] all = new byte[GET.length * count];
        for (int i = 0; i < count; i++) {
            System.arraycopy(GET, 0, all, i * GET.length, GET.length);
        }
        return all;
    }

    @Test
    void nettyHandlerAnswersEveryRequestOfSplitReads() {
        EmbeddedChannel channel = new EmbeddedChannel(new NettyRawServer.Handler());
        byte[] stream = requests(100); // more than one response block
        for (int i = 0; i < stream.length; i += 7) { // reads that split requests anywhere
            channel.writeInbound(Unpooled.wrappedBuffer(stream, i, Math.min(7, stream.length - i)));
        }
        channel.writeInbound(Unpooled.wrappedBuffer(requests(70)));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ByteBuf buf; (buf = channel.readOutbound()) != null; buf.release()) {
            byte[] bytes = new byte[buf.readableBytes()];
            buf.readBytes(bytes);
            out.writeBytes(bytes);
        }
        assertThat(out.toByteArray()).isEqualTo(Responses.repeated(170));
        channel.finishAndReleaseAll();
    }

    @ParameterizedTest
    @ValueSource(strings = {"nio", "epoll", "iouring"})
    @SuppressWarnings("try") // Running.close() may be interrupted while it joins the server's threads.
    void weftServerAnswersPipelinedAndSplitRequests(String poller) throws Exception {
        try (Running server = WeftServer.start(poller, 0)) {
            assertServerAnswers(server.address());
        }
    }

    @ParameterizedTest
    @EnumSource(NettyTransport.class)
    @SuppressWarnings("try") // Running.close() may be interrupted while it joins the server's threads.
    void nettyServerAnswersPipelinedAndSplitRequestsOnEveryTransport(NettyTransport transport) throws Exception {
        try (Running server = NettyRawServer.start(transport, 0)) {
            assertServerAnswers(server.address());
        }
    }

    @Test
    @SuppressWarnings("try") // Running.close() may be interrupted while it joins the server's threads.
    void virtualThreadServerAnswersPipelinedAndSplitRequests() throws Exception {
        try (Running server = VirtualThreadServer.start(0)) {
            assertServerAnswers(server.address());
        }
    }

    @Test
    @SuppressWarnings("try") // Running.close() may be interrupted while it joins the server's threads.
    void weftTlsServerAnswersPipelinedAndSplitRequestsOverTls13() throws Exception {
        try (Running server = WeftTlsServer.start("nio", 0, tls())) {
            assertServerAnswers(server.address(), true);
        }
    }

    @Test
    @SuppressWarnings("try") // Running.close() may be interrupted while it joins the server's threads.
    void nettyTlsServerAnswersPipelinedAndSplitRequestsOverTls13() throws Exception {
        try (Running server = NettyRawServer.startTls(NettyTransport.NIO, 0, tls())) {
            assertServerAnswers(server.address(), true);
        }
    }

    private static BenchTls tls() {
        return new BenchTls(TestCertificates.file("server.pem"), TestCertificates.file("server.key"));
    }

    private static void assertServerAnswers(InetSocketAddress address) throws IOException {
        assertServerAnswers(address, false);
    }

    /** Over TLS (trusting the test CA), the server must also have negotiated TLS 1.3. */
    private static void assertServerAnswers(InetSocketAddress address, boolean tls) throws IOException {
        Socket plain = new Socket(address.getAddress(), address.getPort());
        try (Socket socket = tls ? tlsClient().createSocket(plain, "localhost", address.getPort(), true) : plain) {
            if (socket instanceof SSLSocket secure) {
                secure.startHandshake();
                assertThat(secure.getSession().getProtocol()).isEqualTo("TLSv1.3");
            }
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            socket.setTcpNoDelay(true);
            OutputStream output = socket.getOutputStream();
            InputStream input = socket.getInputStream();
            byte[] stream = requests(3);
            for (byte b : stream) { // one byte per write: requests split at every boundary
                output.write(b);
                output.flush();
            }
            assertThat(input.readNBytes(3 * Responses.HELLO.length)).isEqualTo(Responses.repeated(3));
            output.write(requests(100)); // a pipelined batch larger than one response block
            assertThat(input.readNBytes(100 * Responses.HELLO.length)).isEqualTo(Responses.repeated(100));
        }
    }

    private static SSLSocketFactory tlsClient() throws IOException {
        return TlsConfig.builder().trustPem(TestCertificates.file("ca.pem")).build().sslContext().getSocketFactory();
    }
}

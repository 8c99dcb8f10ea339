package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpStats;
import io.weft.loop.vthreads.Carrier;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The kv server end to end: a real loop group, real sockets, raw RESP bytes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KvServerTest {
    private LoopGroup group;
    private KvServer server;
    private final List<Socket> clients = new ArrayList<>();

    private InetSocketAddress start(KvConfig config) throws IOException {
        group = LoopGroup.builder().size(2).name("kv-test").poller("nio").build();
        server = KvServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), config);
        return server.localAddress();
    }

    private Socket connect(InetSocketAddress address) throws IOException {
        Socket socket = new Socket(address.getAddress(), address.getPort());
        socket.setSoTimeout(10_000);
        clients.add(socket);
        return socket;
    }

    @AfterEach
    void closeEverything() throws Exception {
        for (Socket socket : clients) {
            socket.close();
        }
        if (server != null) {
            server.close();
        }
        if (group != null) {
            group.shutdownGracefully(Duration.ofSeconds(1)).get(5, TimeUnit.SECONDS);
            group.close();
            for (EventLoop loop : group) {
                assertThat(loop.isClosed()).isTrue();
                assertThat(TcpStats.of(loop).openConnections()).as("connections left open").isZero();
                assertThat(loop.stats().liveWatchers()).as("watchers left open").isZero();
            }
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    private static String command(String... args) {
        StringBuilder s = new StringBuilder("*").append(args.length).append("\r\n");
        for (String a : args) {
            s.append('$').append(a.getBytes(StandardCharsets.ISO_8859_1).length).append("\r\n").append(a).append("\r\n");
        }
        return s.toString();
    }

    /** Reads exactly the bytes of {@code expected} and compares. */
    private static void expect(Socket socket, String expected) throws IOException {
        byte[] got = socket.getInputStream().readNBytes(expected.length());
        assertThat(new String(got, StandardCharsets.ISO_8859_1)).isEqualTo(expected);
    }

    private static void expectClosed(Socket socket) throws IOException {
        assertThat(socket.getInputStream().read()).as("end of stream").isEqualTo(-1);
    }

    @Test
    void servesOnTheLoopCarrier() throws IOException {
        start(KvConfig.defaults());
        assertThat(server.carrier()).isEqualTo(Carrier.LOOP);
    }

    @Test
    void answersPipelinedRequestsInOrder() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        s.getOutputStream().write(ascii(command("PING") + command("SET", "k", "v") + command("GET", "k") + "PING\r\n"
                + command("INCR", "n") + command("INCR", "n") + command("MGET", "k", "n", "x") + command("DEL", "k", "n")
                + command("EXISTS", "k") + command("ECHO", "a\r\nb") + command("NOPE")));
        expect(s, "+PONG\r\n+OK\r\n$1\r\nv\r\n+PONG\r\n:1\r\n:2\r\n*3\r\n$1\r\nv\r\n$1\r\n2\r\n$-1\r\n:2\r\n:0\r\n"
                + "$4\r\na\r\nb\r\n-ERR unknown command 'NOPE'\r\n");
    }

    @Test
    void answersARequestThatArrivesOneByteAtATime() throws IOException, InterruptedException {
        Socket s = connect(start(KvConfig.defaults()));
        s.setTcpNoDelay(true);
        OutputStream out = s.getOutputStream();
        for (byte b : ascii(command("SET", "key", "value"))) {
            out.write(b);
            out.flush();
        }
        expect(s, "+OK\r\n");
    }

    @Test
    void aLargeValueMakesTheRoundTrip() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        byte[] value = new byte[3 * 1024 * 1024 + 7];
        for (int i = 0; i < value.length; i++) {
            value[i] = (byte) (i * 31);
        }
        String v = new String(value, StandardCharsets.ISO_8859_1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            try {
                s.getOutputStream().write(ascii(command("SET", "big", v) + command("GET", "big")));
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        expect(s, "+OK\r\n$" + value.length + "\r\n");
        byte[] got = s.getInputStream().readNBytes(value.length);
        assertThat(Arrays.equals(got, value)).isTrue();
        expect(s, "\r\n");
        writer.join();
    }

    @Test
    void quitAnswersOkAndCloses() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        s.getOutputStream().write(ascii(command("QUIT") + command("PING")));
        expect(s, "+OK\r\n");
        expectClosed(s);
    }

    @Test
    void aMalformedFrameGetsAProtocolErrorThenTheConnectionCloses() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults());
        Socket s = connect(address);
        s.getOutputStream().write(ascii(command("PING") + "*1\r\n+PING\r\n" + command("PING")));
        expect(s, "+PONG\r\n-ERR Protocol error: expected '$', got '+'\r\n");
        s.shutdownOutput();
        expectClosed(s);

        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
    }

    @Test
    void requestsOverTheLimitsAreRefused() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults().withLimits(RespLimits.defaults().withMaxBulkBytes(1024)));
        Socket bulk = connect(address);
        bulk.getOutputStream().write(ascii("*2\r\n$3\r\nGET\r\n$1025\r\n"));
        expect(bulk, "-ERR Protocol error: invalid bulk length\r\n");
        bulk.shutdownOutput();
        expectClosed(bulk);

        Socket array = connect(address);
        array.getOutputStream().write(ascii("*1048577\r\n"));
        expect(array, "-ERR Protocol error: invalid multibulk length\r\n");
        expectClosed(array);

        Socket line = connect(address);
        line.getOutputStream().write(ascii("x".repeat(64 * 1024 + 1)));
        expect(line, "-ERR Protocol error: too big inline request\r\n");
        expectClosed(line);
    }

    @Test
    void theStoreIsSharedByConnectionsOnEveryLoop() throws Exception {
        InetSocketAddress address = start(KvConfig.defaults());
        int clientsCount = 8;
        int increments = 500;
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (int c = 0; c < clientsCount; c++) {
            Socket s = connect(address);
            done.add(CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = s.getOutputStream();
                    InputStream in = s.getInputStream();
                    for (int i = 0; i < increments; i++) {
                        out.write(ascii(command("INCR", "counter")));
                        int b;
                        while ((b = in.read()) != '\n') {
                            assertThat(b).isNotEqualTo(-1);
                        }
                    }
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            }));
        }
        CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        Socket s = connect(address);
        s.getOutputStream().write(ascii(command("GET", "counter")));
        expect(s, "$4\r\n4000\r\n");
        assertThat(group.loops().stream().mapToLong(loop -> TcpStats.of(loop).openConnections()).filter(n -> n > 0).count())
                .as("connections on both loops").isEqualTo(2);
    }

    @Test
    void anIdleConnectionIsClosed() throws IOException {
        Socket s = connect(start(KvConfig.defaults().withIdleTimeout(Duration.ofMillis(200))));
        s.getOutputStream().write(ascii(command("PING")));
        expect(s, "+PONG\r\n");
        expectClosed(s);
    }

    @Test
    void requestsBeforeAnIncompleteOneAreAnsweredWhenTheClientHalfCloses() throws IOException {
        Socket s = connect(start(KvConfig.defaults()));
        s.getOutputStream().write(ascii(command("PING") + command("ECHO", "x") + "*2\r\n$3\r\nGET"));
        s.shutdownOutput();
        expect(s, "+PONG\r\n$1\r\nx\r\n");
        expectClosed(s);
    }

    @Test
    void aClientThatResetsLeavesNothingBehind() throws IOException {
        InetSocketAddress address = start(KvConfig.defaults());
        Socket s = connect(address);
        s.getOutputStream().write(ascii("*2\r\n$3\r\nGET\r\n"));
        s.setSoLinger(true, 0);
        s.close();
        Socket other = connect(address);
        other.getOutputStream().write(ascii(command("PING")));
        expect(other, "+PONG\r\n");
    }
}

package io.weft.bench.harness;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.TlsConnection;
import io.weft.loop.core.net.tls.TlsHandler;
import io.weft.loop.core.net.tls.TlsServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** {@code weft-tls-nio} / {@code weft-tls-epoll}: the minimal handler of {@link WeftServer} over Weft's {@link TlsServer}. */
final class WeftTlsServer {

    private WeftTlsServer() {
    }

    static Running start(String poller, int port, BenchTls tls) throws IOException {
        LoopGroup group = LoopGroup.builder().size(1).name("weft-bench").poller(poller).build();
        try {
            TlsServer server = TlsServer.listen(group, new InetSocketAddress("127.0.0.1", port),
                    TcpOptions.defaults(), tls.weft(), Handler::new);
            return new Running((InetSocketAddress) server.localAddress(), () -> {
                server.close();
                group.close();
            });
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** {@link WeftServer.Answerer} on the plaintext of a TLS connection: each read's responses are one write, one record. */
    static final class Handler implements TlsHandler {
        private final WeftServer.Answerer answerer = new WeftServer.Answerer();

        @Override
        public void onRead(TlsConnection connection, ByteBuffer data) {
            answerer.answer(connection, data);
        }

        @Override
        public void onWritabilityChanged(TlsConnection connection, boolean writable) {
            WeftServer.Answerer.writabilityChanged(connection, writable);
        }
    }
}

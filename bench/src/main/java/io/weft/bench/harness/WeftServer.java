package io.weft.bench.harness;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.StreamConnection;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** {@code weft-nio} / {@code weft-epoll} / {@code weft-iouring}: Weft's {@link TcpServer} on a one-loop {@link LoopGroup}. */
final class WeftServer {
    private static final ByteBuffer BLOCK = Responses.directBlock();

    private WeftServer() {
    }

    static Running start(String poller, int port) throws IOException {
        LoopGroup group = LoopGroup.builder().size(1).name("weft-bench").poller(poller).build();
        try {
            TcpServer server = TcpServer.listen(group, new InetSocketAddress("127.0.0.1", port),
                    TcpOptions.defaults(), Handler::new);
            return new Running((InetSocketAddress) server.localAddress(), () -> {
                server.close();
                group.close();
            });
        } catch (IOException | RuntimeException e) {
            group.close();
            throw e;
        }
    }

    /** Counts requests and answers them in one batch per read (writes in onRead go out in one gather write). */
    static final class Handler implements ConnectionHandler {
        private final Answerer answerer = new Answerer();

        @Override
        public void onRead(TcpConnection connection, ByteBuffer data) {
            answerer.answer(connection, data);
        }

        @Override
        public void onWritabilityChanged(TcpConnection connection, boolean writable) {
            Answerer.writabilityChanged(connection, writable);
        }
    }

    /** The minimal handler's logic, for a TCP or a TLS connection: one per connection. */
    static final class Answerer {
        private final RequestCounter counter = new RequestCounter();
        private final ByteBuffer responses = BLOCK.duplicate();

        /** Counts the requests in {@code data} (consuming it) and writes their responses, a block at a time. */
        void answer(StreamConnection connection, ByteBuffer data) {
            int requests = counter.count(data);
            while (requests > 0) {
                int batch = Math.min(requests, Responses.BATCH);
                connection.write(responses.limit(batch * Responses.HELLO.length).position(0));
                requests -= batch;
            }
            if (!connection.isWritable()) {
                connection.pauseReading(); // a client that does not read its responses is slowed, not buffered
            }
        }

        static void writabilityChanged(StreamConnection connection, boolean writable) {
            if (writable) {
                connection.resumeReading();
            }
        }
    }
}

package io.weft.loop.core.net.tls;

import io.weft.loop.core.net.spi.ServerSocketHandle;
import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.net.spi.SocketOptions;
import io.weft.loop.core.net.spi.TcpBackend;
import io.weft.loop.core.net.spi.TcpBackendProvider;
import io.weft.loop.core.nio.NioPollerProvider;
import io.weft.loop.core.nio.NioTcpBackendProvider;
import io.weft.loop.core.spi.PollSource;
import io.weft.loop.core.spi.Poller;
import io.weft.loop.core.spi.PollerProvider;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The {@code nio-counting} poller: the NIO poller and the NIO TCP backend, real sockets, with a
 * count of the write calls that handed the kernel bytes, per accepted socket. Tests pick it by name
 * ({@code poller("nio-counting")}); its priority keeps it from being anyone's default.
 */
final class CountingNio {
    static final String NAME = "nio-counting";
    /** The write counters of the sockets accepted, in accept order. */
    static final LinkedBlockingQueue<AtomicInteger> ACCEPTED_WRITES = new LinkedBlockingQueue<>();

    private CountingNio() {
    }

    /** The poller: NIO's, under another name, so that loops on it get the counting backend. */
    public static final class Pollers implements PollerProvider {
        @Override
        public String name() {
            return NAME;
        }

        @Override
        public int priority() {
            return -100;
        }

        @Override
        public Optional<String> unavailabilityCause() {
            return Optional.empty();
        }

        @Override
        public Poller newPoller() throws IOException {
            return new NioPollerProvider().newPoller();
        }
    }

    /** The backend: NIO's, whose accepted sockets count their writes. */
    public static final class Backends implements TcpBackendProvider {
        @Override
        public String pollerName() {
            return NAME;
        }

        @Override
        public TcpBackend create() {
            TcpBackend nio = new NioTcpBackendProvider().create();
            return new TcpBackend() {
                @Override
                public ServerSocketHandle listen(SocketAddress address, SocketOptions options) throws IOException {
                    return new CountingServerSocket(nio.listen(address, options));
                }

                @Override
                public SocketHandle connect(SocketAddress address, SocketOptions options) throws IOException {
                    return nio.connect(address, options);
                }

                @Override
                public boolean supportsReusePort() {
                    return nio.supportsReusePort();
                }
            };
        }
    }

    private record CountingServerSocket(ServerSocketHandle nio) implements ServerSocketHandle {
        @Override
        public PollSource source() {
            return nio.source();
        }

        @Override
        public SocketHandle accept() throws IOException {
            SocketHandle accepted = nio.accept();
            if (accepted == null) {
                return null;
            }
            AtomicInteger writes = new AtomicInteger();
            ACCEPTED_WRITES.add(writes);
            return new CountingSocket(accepted, writes);
        }

        @Override
        public SocketAddress localAddress() throws IOException {
            return nio.localAddress();
        }

        @Override
        public void close() throws IOException {
            nio.close();
        }
    }

    private record CountingSocket(SocketHandle nio, AtomicInteger writes) implements SocketHandle {
        @Override
        public PollSource source() {
            return nio.source();
        }

        @Override
        public boolean finishConnect() throws IOException {
            return nio.finishConnect();
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return nio.read(dst);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long written = nio.write(srcs, offset, length);
            if (written > 0) {
                writes.incrementAndGet();
            }
            return written;
        }

        @Override
        public void shutdownOutput() throws IOException {
            nio.shutdownOutput();
        }

        @Override
        public SocketAddress localAddress() throws IOException {
            return nio.localAddress();
        }

        @Override
        public SocketAddress remoteAddress() throws IOException {
            return nio.remoteAddress();
        }

        @Override
        public void close() throws IOException {
            nio.close();
        }

        @Override
        public void abort() throws IOException {
            nio.abort();
        }
    }
}

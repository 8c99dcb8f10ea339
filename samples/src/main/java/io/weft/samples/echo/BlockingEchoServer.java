package io.weft.samples.echo;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.vthreads.BlockingServerSocket;
import io.weft.loop.vthreads.BlockingSocket;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import io.weft.samples.OpenConnections;
import io.weft.samples.SampleLauncher;
import io.weft.samples.WaitingConnection;
import java.io.IOException;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Objects;

/**
 * The sample echo server in blocking style ({@code --style vthreads}), plain TCP or TLS: a {@link
 * BlockingServerSocket}, one virtual thread accepting and one per connection, started on the
 * connection's loop with {@link Carrier#LOOP}, that reads and writes back until end of stream (over
 * TLS, the peer's close_notify). A write parks while the connection is above its high watermark,
 * and nothing is read meanwhile, so memory stays bounded. Its {@link #drain drain} closes each
 * connection that waits for input: everything it read has been echoed.
 */
public final class BlockingEchoServer implements SampleLauncher.Listener {
    private static final int BUFFER = 16 * 1024;

    private final BlockingServerSocket listener;
    private final VirtualThreads threads;
    private final OpenConnections<WaitingConnection> open = new OpenConnections<>();

    private BlockingEchoServer(BlockingServerSocket listener, VirtualThreads threads) {
        this.listener = listener;
        this.threads = threads;
    }

    /**
     * Listens on {@code address} and echoes on {@code group}'s loops; {@code tls} null for plain TCP.
     *
     * @param group the loops that accept (and handshake) and carry the connection threads
     * @param address where to listen
     * @param idleTimeout how long a connection may stay idle; zero for ever
     * @param tls the server's certificate and protocols, or null for plain TCP
     * @return the started server
     * @throws IOException if the address cannot be bound
     */
    public static BlockingEchoServer listen(LoopGroup group, SocketAddress address, Duration idleTimeout,
            TlsConfig tls) throws IOException {
        Objects.requireNonNull(group, "group");
        TcpOptions options = TcpOptions.defaults().withIdleTimeout(idleTimeout);
        BlockingServerSocket listener = tls == null
                ? BlockingServerSocket.listen(group, address, options)
                : BlockingServerSocket.listen(group, address, options, tls);
        VirtualThreads threads = VirtualThreads.forGroup(group, Carrier.LOOP);
        BlockingEchoServer server = new BlockingEchoServer(listener, threads);
        threads.start(group.loops().get(0), () -> listener.serve(threads, server::echo));
        return server;
    }

    @Override
    public SocketAddress localAddress() {
        return listener.localAddress();
    }

    @Override
    public void close() {
        listener.close();
    }

    @Override
    public boolean drain(long deadlineNanos) throws InterruptedException {
        return open.drain(deadlineNanos);
    }

    private void echo(BlockingSocket socket) {
        WaitingConnection waiting = new WaitingConnection(socket);
        open.opened(waiting, waiting::finishIfIdle);
        try (socket) {
            ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
            while (true) {
                waiting.idle(); // a drain closes the socket now: what was read is echoed
                int n = socket.read(buffer.clear());
                if (n < 0 || !waiting.arrived()) {
                    return;
                }
                socket.write(buffer.flip());
            }
        } catch (IOException e) {
            // reset, idle timeout, truncation, the drain's close or the loop's shutdown: this connection ends
        } finally {
            open.closed(waiting);
        }
    }
}

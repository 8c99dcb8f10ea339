package io.weft.bench.harness;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.vthreads.BlockingServerSocket;
import io.weft.loop.vthreads.BlockingSocket;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * {@code weft-vt-nio}, {@code weft-vt-epoll}, {@code weft-vt-iouring}: the minimal handler in blocking style on Weft, a
 * virtual thread per connection carried by the one loop thread (loop-vthreads' loop carrier), so
 * it can be set beside {@code jdk-vthreads} (the same code shape on the JDK's sockets) and beside
 * the callback-style {@code weft-*} on the same loop. Each read is answered with one write.
 */
final class WeftVirtualThreadServer {
    private static final ByteBuffer BLOCK = ByteBuffer.wrap(Responses.repeated(Responses.BATCH)).asReadOnlyBuffer();

    private WeftVirtualThreadServer() {
    }

    static Running start(String poller, int port) throws IOException {
        LoopGroup group = LoopGroup.builder().size(1).name("weft-vt").poller(poller).build();
        VirtualThreads threads = VirtualThreads.forGroup(group, Carrier.LOOP);
        if (threads.carrier() != Carrier.LOOP) {
            throw new IllegalStateException("the loop carrier is unavailable; run with the jar (it carries Add-Opens)");
        }
        BlockingServerSocket server = BlockingServerSocket.listen(group,
                new InetSocketAddress(InetAddress.getLoopbackAddress(), port), TcpOptions.defaults());
        Thread acceptor = threads.start(() -> server.serve(threads, WeftVirtualThreadServer::serve));
        return new Running((InetSocketAddress) server.localAddress(), () -> {
            server.close();
            acceptor.join();
            group.close();
        });
    }

    private static void serve(BlockingSocket socket) {
        RequestCounter counter = new RequestCounter();
        ByteBuffer in = ByteBuffer.allocate(16 * 1024);
        ByteBuffer block = BLOCK.duplicate();
        try (socket) {
            while (socket.read(in.clear()) > 0) {
                int requests = counter.count(in.array(), 0, in.position());
                if (requests <= Responses.BATCH) {
                    socket.write(block.clear().limit(requests * Responses.HELLO.length));
                } else {
                    socket.write(ByteBuffer.wrap(Responses.repeated(requests)));
                }
            }
        } catch (IOException e) {
            // the peer reset or closed: the connection just ends, as with the other servers
        }
    }
}

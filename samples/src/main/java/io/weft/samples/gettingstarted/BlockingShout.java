package io.weft.samples.gettingstarted;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.vthreads.BlockingServerSocket;
import io.weft.loop.vthreads.BlockingSocket;
import io.weft.loop.vthreads.Carrier;
import io.weft.loop.vthreads.VirtualThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;

/**
 * Getting started, step 2: the same service written as plain blocking code. Each connection gets a
 * virtual thread; its blocking reads and writes park on the loop's watchers instead of holding a
 * thread.
 */
public final class BlockingShout {
    private BlockingShout() {
    }

    /**
     * Listens on {@code address} and serves each connection on a virtual thread carried by the
     * connection's loop; the accepting runs on a virtual thread too. Close the returned socket to
     * stop accepting.
     */
    public static BlockingServerSocket listen(LoopGroup group, InetSocketAddress address) throws IOException {
        BlockingServerSocket server = BlockingServerSocket.listen(group, address, TcpOptions.defaults());
        VirtualThreads threads = VirtualThreads.forGroup(group, Carrier.LOOP);
        threads.start(() -> server.serve(threads, BlockingShout::shout));
        return server;
    }

    private static void shout(BlockingSocket socket) {
        try (socket) {
            InputStream in = socket.getInputStream();
            OutputStream out = socket.getOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) { // parks until data arrives
                for (int i = 0; i < n; i++) {
                    buffer[i] = Shout.upperCase(buffer[i]);
                }
                out.write(buffer, 0, n); // parks while the peer is slow to read
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // one connection's failure: its virtual thread ends
        }
    }

    /** Runs the server on port 7001 until the JVM is stopped (Ctrl-C). */
    public static void main(String[] args) throws IOException {
        LoopGroup group = LoopGroup.create();
        BlockingServerSocket server = listen(group, new InetSocketAddress("127.0.0.1", 7001));
        System.out.println("shouting on " + server.localAddress());
    }
}

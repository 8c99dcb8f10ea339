package io.weft.bench.harness;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * {@code jdk-vthreads}: the JDK's own answer, a blocking {@link ServerSocket} with one virtual
 * thread per connection; each read is answered with one {@code write} of its responses. Run with
 * {@code -Djdk.virtualThreadScheduler.parallelism=1} (the script does) for a single carrier thread.
 */
final class VirtualThreadServer {
    private static final System.Logger LOG = System.getLogger(VirtualThreadServer.class.getName());
    private static final byte[] BLOCK = Responses.repeated(Responses.BATCH);

    private VirtualThreadServer() {
    }

    static Running start(int port) throws IOException {
        ServerSocket server = new ServerSocket();
        server.setReuseAddress(true);
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
        Thread acceptor = Thread.ofVirtual().name("accept").start(() -> acceptLoop(server));
        return new Running((InetSocketAddress) server.getLocalSocketAddress(), () -> {
            server.close();
            acceptor.join();
        });
    }

    private static void acceptLoop(ServerSocket server) {
        while (true) {
            try {
                Socket socket = server.accept();
                Thread.ofVirtual().start(() -> serve(socket));
            } catch (IOException e) {
                if (!server.isClosed()) {
                    LOG.log(System.Logger.Level.WARNING, "accept failed; no longer accepting", e);
                }
                return;
            }
        }
    }

    private static void serve(Socket socket) {
        RequestCounter counter = new RequestCounter();
        byte[] in = new byte[16 * 1024];
        try (socket; InputStream input = socket.getInputStream(); OutputStream output = socket.getOutputStream()) {
            socket.setTcpNoDelay(true);
            int n;
            while ((n = input.read(in)) > 0) {
                int requests = counter.count(in, 0, n);
                if (requests <= Responses.BATCH) {
                    output.write(BLOCK, 0, requests * Responses.HELLO.length);
                } else {
                    output.write(Responses.repeated(requests));
                }
            }
        } catch (IOException e) {
            // the peer reset or closed: the connection just ends, as with the other servers
        }
    }
}

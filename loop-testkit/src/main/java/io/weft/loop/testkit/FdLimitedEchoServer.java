package io.weft.loop.testkit;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import io.weft.loop.core.net.TcpStats;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;

/**
 * An echo server for {@link TcpContract}'s fd-exhaustion test, run in a child JVM started under
 * {@code ulimit -n}. Prints {@code listening PORT}, then its TCP counters every 100 ms; exits when
 * its standard input closes.
 */
public final class FdLimitedEchoServer {
    private FdLimitedEchoServer() {
    }

    /**
     * Serves echo on the poller named {@code args[0]} until standard input closes.
     *
     * @param args the poller's name
     * @throws Exception if the server cannot start; the child JVM then exits with a stack trace
     */
    public static void main(String[] args) throws Exception {
        // Load every class the shedding path needs now: once fds run out, class files cannot be opened.
        // Logging loads time-zone data on its first record: do it now, while files can still be opened.
        System.getLogger(FdLimitedEchoServer.class.getName()).log(System.Logger.Level.INFO, "starting");
        for (String name : new String[] {"io.weft.loop.core.net.spi.FdExhaustedException", "java.nio.channels.FileChannel",
                "io.weft.loop.core.net.CloseReason", "sun.nio.ch.FileChannelImpl"}) {
            Class.forName(name);
        }
        try (LoopGroup group = LoopGroup.builder().size(1).name("fd-limited").poller(args[0]).build()) {
            EventLoop loop = group.next();
            TcpServer server = TcpServer.listen(group, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
                    TcpOptions.defaults(), () -> new ConnectionHandler() {
                        @Override
                        public void onRead(TcpConnection connection, ByteBuffer data) {
                            connection.write(data);
                        }
                    });
            try (Socket warmUp = new Socket(((InetSocketAddress) server.localAddress()).getAddress(), ((InetSocketAddress) server.localAddress()).getPort())) {
                warmUp.getOutputStream().write(1);
                warmUp.getInputStream().read();
            }
            loop.scheduleRepeating(Duration.ZERO, Duration.ofMillis(100), () -> {
                TcpStats stats = TcpStats.of(loop);
                System.out.println("stats shed=" + stats.shedConnections() + " failures=" + stats.acceptFailures()
                        + " open=" + stats.openConnections());
            });
            System.out.println("listening " + ((InetSocketAddress) server.localAddress()).getPort());
            System.out.flush();
            while (System.in.read() != -1) {
                // wait for the parent to close our input
            }
        }
    }
}

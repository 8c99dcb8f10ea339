package io.weft.bench.harness;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;

/**
 * Entry point of {@code bench-servers.jar}: {@code java -jar bench-servers.jar <kind> <port>
 * [<chain.pem> <key.pem>]} starts one server of the side-by-side harness on 127.0.0.1 and prints
 * {@code listening on <address>} once it accepts connections; the {@code *-tls-*} kinds need the
 * certificate chain and PKCS#8 key. See {@code bench/HARNESS.md}.
 */
public final class BenchServers {
    static final List<String> KINDS = List.of("weft-nio", "weft-epoll", "weft-iouring", "netty-nio", "netty-epoll",
            "netty-iouring", "netty-http-nio", "netty-http-epoll", "netty-http-iouring", "jdk-vthreads",
            "weft-vt-nio", "weft-vt-epoll", "weft-vt-iouring", "weft-tls-nio", "weft-tls-epoll", "netty-tls-nio", "netty-tls-epoll");

    private BenchServers() {
    }

    public static void main(String[] args) throws Exception {
        boolean tlsKind = args.length > 0 && args[0].contains("-tls-");
        if (args.length != (tlsKind ? 4 : 2) || !KINDS.contains(args[0])) {
            System.err.println("usage: java -jar bench-servers.jar <kind> <port> [<chain.pem> <key.pem> for the -tls- kinds]"
                    + "   kinds: " + String.join(" ", KINDS));
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
        BenchTls tls = tlsKind ? new BenchTls(Path.of(args[2]), Path.of(args[3])) : null;
        InetSocketAddress address = (switch (args[0]) {
            case "weft-nio" -> WeftServer.start("nio", port);
            case "weft-epoll" -> WeftServer.start("epoll", port);
            case "weft-iouring" -> WeftServer.start("iouring", port);
            case "netty-nio" -> NettyRawServer.start(NettyTransport.NIO, port);
            case "netty-epoll" -> NettyRawServer.start(NettyTransport.EPOLL, port);
            case "netty-iouring" -> NettyRawServer.start(NettyTransport.IOURING, port);
            case "netty-http-nio" -> NettyHttpServer.start(NettyTransport.NIO, port);
            case "netty-http-epoll" -> NettyHttpServer.start(NettyTransport.EPOLL, port);
            case "netty-http-iouring" -> NettyHttpServer.start(NettyTransport.IOURING, port);
            case "jdk-vthreads" -> VirtualThreadServer.start(port);
            case "weft-vt-nio" -> WeftVirtualThreadServer.start("nio", port);
            case "weft-vt-epoll" -> WeftVirtualThreadServer.start("epoll", port);
            case "weft-vt-iouring" -> WeftVirtualThreadServer.start("iouring", port);
            case "weft-tls-nio" -> WeftTlsServer.start("nio", port, tls);
            case "weft-tls-epoll" -> WeftTlsServer.start("epoll", port, tls);
            case "netty-tls-nio" -> NettyRawServer.startTls(NettyTransport.NIO, port, tls);
            case "netty-tls-epoll" -> NettyRawServer.startTls(NettyTransport.EPOLL, port, tls);
            default -> throw new AssertionError(args[0]);
        }).address();
        System.out.println(args[0] + " listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        System.out.flush();
        Thread.currentThread().join(); // the server threads run until the process is killed
    }
}

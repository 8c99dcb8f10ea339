package io.weft.bench.harness;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Entry point of {@code bench-servers.jar}: {@code java -jar bench-servers.jar <kind> <port>} starts
 * one server of the side-by-side harness on 127.0.0.1 and prints {@code listening on <address>}
 * once it accepts connections. See {@code bench/HARNESS.md}.
 */
public final class BenchServers {
    static final List<String> KINDS = List.of("weft-nio", "weft-epoll", "weft-iouring", "netty-nio", "netty-epoll",
            "netty-iouring", "netty-http-nio", "netty-http-epoll", "netty-http-iouring", "jdk-vthreads",
            "weft-vt-nio", "weft-vt-epoll", "weft-vt-iouring");

    private BenchServers() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 2 || !KINDS.contains(args[0])) {
            System.err.println("usage: java -jar bench-servers.jar <kind> <port>   kinds: " + String.join(" ", KINDS));
            System.exit(2);
        }
        int port = Integer.parseInt(args[1]);
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
            default -> throw new AssertionError(args[0]);
        }).address();
        System.out.println(args[0] + " listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        System.out.flush();
        Thread.currentThread().join(); // the server threads run until the process is killed
    }
}

package io.weft.bench.harness;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * Entry point of {@code bench-servers.jar}: {@code java -jar bench-servers.jar <kind> <port>} starts
 * one server of the side-by-side harness on 127.0.0.1 and prints {@code listening on <address>}
 * once it accepts connections. See {@code bench/HARNESS.md}.
 */
public final class BenchServers {
    static final List<String> KINDS = List.of("weft-nio", "weft-epoll", "netty-nio", "netty-epoll",
            "netty-http-nio", "netty-http-epoll", "jdk-vthreads", "weft-vt-nio", "weft-vt-epoll");

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
            case "netty-nio" -> NettyRawServer.start(false, port);
            case "netty-epoll" -> NettyRawServer.start(true, port);
            case "netty-http-nio" -> NettyHttpServer.start(false, port);
            case "netty-http-epoll" -> NettyHttpServer.start(true, port);
            case "jdk-vthreads" -> VirtualThreadServer.start(port);
            case "weft-vt-nio" -> WeftVirtualThreadServer.start("nio", port);
            case "weft-vt-epoll" -> WeftVirtualThreadServer.start("epoll", port);
            default -> throw new AssertionError(args[0]);
        }).address();
        System.out.println(args[0] + " listening on " + address.getAddress().getHostAddress() + ":" + address.getPort());
        System.out.flush();
        Thread.currentThread().join(); // the server threads run until the process is killed
    }
}

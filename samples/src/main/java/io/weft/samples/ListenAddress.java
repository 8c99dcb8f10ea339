package io.weft.samples;

import java.io.IOException;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Where a sample listens, from its {@code --host}/{@code --port} or {@code --unix PATH} options, and
 * how its banner writes that address.
 */
public final class ListenAddress {
    private ListenAddress() {
    }

    /**
     * The address to listen on: the Unix domain socket at {@code unix} if given, else {@code host}
     * and {@code port}.
     *
     * @param host the host to bind when there is no Unix socket path
     * @param port the port to bind when there is no Unix socket path
     * @param unix the Unix domain socket's path ({@code --unix}), if any
     * @return a {@link UnixDomainSocketAddress} or a resolved {@link InetSocketAddress}
     * @throws IOException if the host cannot be resolved
     */
    public static SocketAddress of(String host, int port, Optional<Path> unix) throws IOException {
        if (unix.isPresent()) {
            return UnixDomainSocketAddress.of(unix.get());
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new IOException("cannot resolve host '" + host + "'");
        }
        return address;
    }

    /**
     * The address as a banner shows it: {@code 127.0.0.1:8080}, {@code [::1]:8080} or {@code
     * unix:/run/weft.sock}.
     *
     * @param address a bound address
     * @return the text
     */
    public static String format(SocketAddress address) {
        if (address instanceof InetSocketAddress inet) {
            String host = inet.getAddress().getHostAddress();
            return (inet.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return "unix:" + ((UnixDomainSocketAddress) address).getPath();
    }
}

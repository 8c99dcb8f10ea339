package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.charset.Charset;

/**
 * The socket addresses of the stream backend, one family each: IPv4 and IPv6 ({@link SocketCalls}'
 * {@code sockaddr_in}/{@code sockaddr_in6}) and Unix domain ({@code <sys/un.h>}):
 * <pre>
 * struct sockaddr_un { sa_family_t sun_family; char sun_path[108]; };                   // 110 bytes
 * </pre>
 * A Unix socket's address length is {@code offsetof(sun_path)} plus the path's bytes and its NUL;
 * an unnamed socket (a client that did not bind) comes back with the length of the family alone
 * (unix(7)). Paths are in the JVM's file-name encoding ({@code sun.jnu.encoding}), as the JDK passes
 * every path to the kernel.
 */
final class SocketAddresses {
    static final int AF_UNIX = 1;
    /** {@code offsetof(struct sockaddr_un, sun_path)}. */
    static final int SUN_PATH_OFFSET = 2;
    /** {@code sizeof(sun_path)}; {@code net} has checked that a path and its NUL fit. */
    static final int SUN_PATH_SIZE = 108;

    private static final Charset PATH_ENCODING = Charset.forName(System.getProperty("sun.jnu.encoding", "UTF-8"));

    private SocketAddresses() {
    }

    /** The {@code socket(2)} domain of {@code address}. */
    static int familyOf(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? SocketCalls.familyOf(inet) : AF_UNIX;
    }

    /** {@code AF_INET}, {@code AF_INET6} or {@code AF_UNIX}, for messages. */
    static String familyName(int family) {
        return switch (family) {
            case SocketCalls.AF_INET -> "AF_INET";
            case SocketCalls.AF_INET6 -> "AF_INET6";
            default -> "AF_UNIX";
        };
    }

    /**
     * Writes {@code address} into {@code sockaddr} (at least {@link SocketCalls#SOCKADDR_STORAGE_SIZE}
     * bytes); returns its length, the {@code socklen_t} to pass.
     *
     * @throws IllegalArgumentException if a Unix socket path does not fit in {@code sun_path}
     */
    static int encode(SocketAddress address, MemorySegment sockaddr) {
        if (address instanceof InetSocketAddress inet) {
            return SocketCalls.encode(inet, sockaddr);
        }
        byte[] path = ((UnixDomainSocketAddress) address).getPath().toString().getBytes(PATH_ENCODING);
        if (path.length + 1 > SUN_PATH_SIZE) {
            throw new IllegalArgumentException("Unix domain socket path of " + path.length + " bytes does not fit in"
                    + " sun_path (" + SUN_PATH_SIZE + " bytes with the NUL): " + address);
        }
        sockaddr.fill((byte) 0);
        sockaddr.set(JAVA_SHORT, 0, (short) AF_UNIX);
        MemorySegment.copy(path, 0, sockaddr, JAVA_BYTE, SUN_PATH_OFFSET, path.length);
        return SUN_PATH_OFFSET + path.length + 1;
    }

    /**
     * Reads the address of {@code length} bytes in {@code sockaddr}, as {@code getsockname} or {@code
     * getpeername} left it: an {@link InetSocketAddress}, or a {@link UnixDomainSocketAddress} (an
     * empty path for an unnamed socket).
     */
    static SocketAddress decode(MemorySegment sockaddr, int length) {
        if (sockaddr.get(JAVA_SHORT, 0) != AF_UNIX) {
            return SocketCalls.decode(sockaddr);
        }
        int end = SUN_PATH_OFFSET;
        while (end < length && sockaddr.get(JAVA_BYTE, end) != 0) {
            end++;
        }
        byte[] path = sockaddr.asSlice(SUN_PATH_OFFSET, end - SUN_PATH_OFFSET).toArray(JAVA_BYTE);
        return UnixDomainSocketAddress.of(new String(path, PATH_ENCODING));
    }

    /** {@code 127.0.0.1:8080}, {@code [::1]:8080} or the Unix socket's path, for messages. */
    static String format(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? SocketCalls.format(inet) : address.toString();
    }
}

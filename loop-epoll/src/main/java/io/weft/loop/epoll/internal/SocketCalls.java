package io.weft.loop.epoll.internal;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * The socket family: {@code socket}, {@code setsockopt}, {@code getsockopt}, {@code bind}, {@code
 * listen}, {@code accept4}, {@code connect}, {@code readv}, {@code recv}, {@code send}, {@code sendmsg}, {@code shutdown},
 * {@code getsockname}, {@code getpeername}. Each call returns its result, or {@code -errno}, and is
 * made again when EINTR interrupts it ({@link Native}'s convention). A non-blocking {@code connect}
 * never sleeps, so it is not interrupted.
 *
 * <p>The structs it exchanges with the kernel, from {@code <netinet/in.h>}, {@code <sys/uio.h>} and
 * {@code <sys/socket.h>} (LP64: x86-64 and aarch64 alike):
 * <pre>
 * struct sockaddr_in  { sa_family_t sin_family; in_port_t sin_port; struct in_addr sin_addr;
 *                       unsigned char sin_zero[8]; };                                   // 16 bytes
 * struct sockaddr_in6 { sa_family_t sin6_family; in_port_t sin6_port; uint32_t sin6_flowinfo;
 *                       struct in6_addr sin6_addr; uint32_t sin6_scope_id; };           // 28 bytes
 * struct iovec        { void *iov_base; size_t iov_len; };                              // 16 bytes
 * struct msghdr       { void *msg_name; socklen_t msg_namelen; struct iovec *msg_iov; size_t msg_iovlen;
 *                       void *msg_control; size_t msg_controllen; int msg_flags; };     // 56 bytes
 * </pre>
 * Ports and IPv4/IPv6 addresses are in network byte order; {@code sa_family_t} in host order.
 */
public final class SocketCalls {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    public static final int SOCK_STREAM = 1;
    public static final int SOCK_NONBLOCK = FdCalls.O_NONBLOCK;
    public static final int SOCK_CLOEXEC = FdCalls.O_CLOEXEC;

    public static final int SOL_SOCKET = 1;
    public static final int SO_REUSEADDR = 2;
    public static final int SO_ERROR = 4;
    public static final int SO_SNDBUF = 7;
    public static final int SO_RCVBUF = 8;
    public static final int SO_KEEPALIVE = 9;
    public static final int SO_REUSEPORT = 15;
    /** {@code SO_LINGER}: how {@code close} treats unsent data ({@link #setLinger}). */
    public static final int SO_LINGER = 13;
    public static final int IPPROTO_TCP = 6;
    public static final int TCP_NODELAY = 1;

    public static final int SHUT_WR = 1;
    /** Do not raise SIGPIPE on a write to a connection the peer has gone from; return EPIPE instead. */
    public static final int MSG_NOSIGNAL = 0x4000;
    /** Linux's {@code UIO_MAXIOV}: the most iovecs one {@code readv}/{@code sendmsg} takes. */
    public static final int IOV_MAX = 1024;

    /** A big-endian (network order) {@code uint16_t}. */
    private static final ValueLayout.OfShort NET_SHORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

    public static final StructLayout SOCKADDR_IN = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin_family"),
            NET_SHORT.withName("sin_port"),
            MemoryLayout.sequenceLayout(4, JAVA_BYTE).withName("sin_addr"),
            MemoryLayout.sequenceLayout(8, JAVA_BYTE).withName("sin_zero")).withName("sockaddr_in");

    public static final StructLayout SOCKADDR_IN6 = MemoryLayout.structLayout(
            JAVA_SHORT.withName("sin6_family"),
            NET_SHORT.withName("sin6_port"),
            JAVA_INT.withName("sin6_flowinfo"),
            MemoryLayout.sequenceLayout(16, JAVA_BYTE).withName("sin6_addr"),
            JAVA_INT.withName("sin6_scope_id")).withName("sockaddr_in6");

    /** {@code struct sockaddr_storage}: room for any address family. */
    public static final long SOCKADDR_STORAGE_SIZE = 128;

    public static final StructLayout IOVEC = MemoryLayout.structLayout(
            ADDRESS.withName("iov_base"), JAVA_LONG.withName("iov_len")).withName("iovec");

    public static final StructLayout MSGHDR = MemoryLayout.structLayout(
            ADDRESS.withName("msg_name"),
            JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4),
            ADDRESS.withName("msg_iov"),
            JAVA_LONG.withName("msg_iovlen"),
            ADDRESS.withName("msg_control"),
            JAVA_LONG.withName("msg_controllen"),
            JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");

    public static final long SIN_PORT_OFFSET = 2;
    public static final long SIN_ADDR_OFFSET = SOCKADDR_IN.byteOffset(MemoryLayout.PathElement.groupElement("sin_addr"));
    public static final long SIN6_ADDR_OFFSET =
            SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_addr"));
    public static final long SIN6_SCOPE_ID_OFFSET =
            SOCKADDR_IN6.byteOffset(MemoryLayout.PathElement.groupElement("sin6_scope_id"));
    public static final long IOV_LEN_OFFSET = IOVEC.byteOffset(MemoryLayout.PathElement.groupElement("iov_len"));
    public static final long MSG_IOV_OFFSET = MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iov"));
    public static final long MSG_IOVLEN_OFFSET =
            MSGHDR.byteOffset(MemoryLayout.PathElement.groupElement("msg_iovlen"));

    private static final MethodHandle SOCKET = Native.downcall("socket",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle SETSOCKOPT = Native.downcall("setsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle GETSOCKOPT = Native.downcall("getsockopt",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle BIND = Native.downcall("bind",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle LISTEN = Native.downcall("listen",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle ACCEPT4 = Native.downcall("accept4",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS, JAVA_INT));
    private static final MethodHandle CONNECT = Native.downcall("connect",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle READV = Native.downcall("readv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));
    private static final MethodHandle RECV = Native.downcallCritical("recv",
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));
    private static final FunctionDescriptor SEND_SIGNATURE =
            FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT);
    private static final FunctionDescriptor SENDMSG_SIGNATURE = FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT);
    // The writes capture errno only when they fail (see Native.callLongCapturingOnFailure).
    private static final MethodHandle SEND = Native.downcallCriticalNoErrno("send", SEND_SIGNATURE);
    private static final MethodHandle SEND_CAPTURING = Native.downcallCritical("send", SEND_SIGNATURE);
    private static final MethodHandle SENDMSG = Native.downcallNoErrno("sendmsg", SENDMSG_SIGNATURE);
    private static final MethodHandle SENDMSG_CAPTURING = Native.downcall("sendmsg", SENDMSG_SIGNATURE);
    private static final MethodHandle SHUTDOWN = Native.downcall("shutdown",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT));
    private static final MethodHandle GETSOCKNAME = Native.downcall("getsockname",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
    private static final MethodHandle GETPEERNAME = Native.downcall("getpeername",
            FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));

    private SocketCalls() {
    }

    /** A new socket; {@code type} carries {@link #SOCK_NONBLOCK} and {@link #SOCK_CLOEXEC}. */
    public static int socket(MemorySegment errno, int domain, int type) {
        return Native.call(SOCKET, errno, domain, type, 0);
    }

    /** Sets an {@code int} option; {@code value} is scratch space for at least one {@code int}. */
    public static int setIntOption(MemorySegment errno, int fd, int level, int name, int v, MemorySegment value) {
        value.set(JAVA_INT, 0, v);
        return Native.call(SETSOCKOPT, errno, fd, level, name, value, 4);
    }

    /**
     * Sets {@code SO_LINGER} on (a {@code struct linger} of {@code l_onoff = 1, l_linger = seconds});
     * 0 seconds makes {@code close} send RST. {@code value} is scratch space for two {@code int}s.
     * Returns 0, or {@code -errno}.
     */
    public static int setLinger(MemorySegment errno, int fd, int seconds, MemorySegment value) {
        value.set(JAVA_INT, 0, 1);
        value.set(JAVA_INT, 4, seconds);
        return Native.call(SETSOCKOPT, errno, fd, SOL_SOCKET, SO_LINGER, value, 8);
    }

    /**
     * Reads an {@code int} option into {@code value} (an {@code int}, then the {@code socklen_t}),
     * returning 0, or {@code -errno}.
     */
    public static int getIntOption(MemorySegment errno, int fd, int level, int name, MemorySegment value) {
        value.set(JAVA_INT, 4, 4);
        return Native.call(GETSOCKOPT, errno, fd, level, name, value, value.asSlice(4, 4));
    }

    public static int bind(MemorySegment errno, int fd, MemorySegment sockaddr, int length) {
        return Native.call(BIND, errno, fd, sockaddr, length);
    }

    public static int listen(MemorySegment errno, int fd, int backlog) {
        return Native.call(LISTEN, errno, fd, backlog);
    }

    /** Accepts one connection, the new fd carrying {@code flags}; {@code -EAGAIN} when none waits. */
    public static int accept4(MemorySegment errno, int fd, int flags) {
        return Native.call(ACCEPT4, errno, fd, MemorySegment.NULL, MemorySegment.NULL, flags);
    }

    /** Starts a connect; on a non-blocking socket {@code -EINPROGRESS} means pending. */
    public static int connect(MemorySegment errno, int fd, MemorySegment sockaddr, int length) {
        return Native.call(CONNECT, errno, fd, sockaddr, length);
    }

    /** Scatter read into {@code count} iovecs; 0 at end of stream, {@code -EAGAIN} when nothing is there. */
    public static long readv(MemorySegment errno, int fd, MemorySegment iovecs, int count) {
        return Native.callLong(READV, errno, fd, iovecs, count);
    }

    /**
     * Reads into {@code buffer} (native or heap: the call is {@linkplain Native#downcallCritical
     * critical}); 0 at end of stream, {@code -EAGAIN} when nothing is there.
     */
    public static long recv(MemorySegment errno, int fd, MemorySegment buffer) {
        return Native.callLong(RECV, errno, fd, buffer, buffer.byteSize(), 0);
    }

    /**
     * Writes {@code buffer} (native or heap), with {@link #MSG_NOSIGNAL} as {@link #sendmsg}; {@code
     * -EAGAIN} when nothing fits. As {@link #sendmsg}, it captures errno only when it fails.
     */
    public static long send(MemorySegment errno, int fd, MemorySegment buffer) {
        return Native.callLongCapturingOnFailure(SEND, SEND_CAPTURING, errno, fd, buffer, buffer.byteSize(), MSG_NOSIGNAL);
    }

    /**
     * Gather write of the iovecs {@code msghdr} points to, with {@link #MSG_NOSIGNAL} so a peer that is
     * gone gives {@code -EPIPE} rather than a SIGPIPE; {@code -EAGAIN} when nothing fits. A successful
     * write allocates nothing however deep the JIT inlines it: errno is captured only by a repeat of a
     * failed write ({@link Native#callLongCapturingOnFailure}), where a reset the failed try consumed
     * reads as {@code -EPIPE}.
     */
    public static long sendmsg(MemorySegment errno, int fd, MemorySegment msghdr) {
        return Native.callLongCapturingOnFailure(SENDMSG, SENDMSG_CAPTURING, errno, fd, msghdr, MSG_NOSIGNAL);
    }

    public static int shutdown(MemorySegment errno, int fd, int how) {
        return Native.call(SHUTDOWN, errno, fd, how);
    }

    /**
     * The local address into {@code sockaddr} ({@link #SOCKADDR_STORAGE_SIZE} bytes), its length into
     * the {@code socklen_t} {@code length}.
     */
    public static int getsockname(MemorySegment errno, int fd, MemorySegment sockaddr, MemorySegment length) {
        length.set(JAVA_INT, 0, (int) sockaddr.byteSize());
        return Native.call(GETSOCKNAME, errno, fd, sockaddr, length);
    }

    /** The peer's address, as {@link #getsockname}; {@code -ENOTCONN} while a connect is pending. */
    public static int getpeername(MemorySegment errno, int fd, MemorySegment sockaddr, MemorySegment length) {
        length.set(JAVA_INT, 0, (int) sockaddr.byteSize());
        return Native.call(GETPEERNAME, errno, fd, sockaddr, length);
    }

    /** {@link #AF_INET6} for an IPv6 address, {@link #AF_INET} for an IPv4 one. */
    public static int familyOf(InetSocketAddress address) {
        return address.getAddress() instanceof Inet6Address ? AF_INET6 : AF_INET;
    }

    /**
     * Writes {@code address} into {@code sockaddr} (at least {@link #SOCKADDR_STORAGE_SIZE} bytes) as a
     * {@code sockaddr_in} or {@code sockaddr_in6}; returns its length, the {@code socklen_t} to pass.
     */
    public static int encode(InetSocketAddress address, MemorySegment sockaddr) {
        InetAddress ip = address.getAddress();
        sockaddr.fill((byte) 0);
        if (ip instanceof Inet6Address v6) {
            sockaddr.set(JAVA_SHORT, 0, (short) AF_INET6);
            sockaddr.set(NET_SHORT, SIN_PORT_OFFSET, (short) address.getPort());
            MemorySegment.copy(v6.getAddress(), 0, sockaddr, JAVA_BYTE, SIN6_ADDR_OFFSET, 16);
            sockaddr.set(JAVA_INT, SIN6_SCOPE_ID_OFFSET, v6.getScopeId());
            return (int) SOCKADDR_IN6.byteSize();
        }
        sockaddr.set(JAVA_SHORT, 0, (short) AF_INET);
        sockaddr.set(NET_SHORT, SIN_PORT_OFFSET, (short) address.getPort());
        MemorySegment.copy(((Inet4Address) ip).getAddress(), 0, sockaddr, JAVA_BYTE, SIN_ADDR_OFFSET, 4);
        return (int) SOCKADDR_IN.byteSize();
    }

    /**
     * Reads the {@code sockaddr_in} or {@code sockaddr_in6} in {@code sockaddr}. An IPv4-mapped IPv6
     * address ({@code ::ffff:a.b.c.d}, from a dual-stack listener) comes back as the IPv4 address.
     *
     * @throws IllegalArgumentException for another address family
     */
    public static InetSocketAddress decode(MemorySegment sockaddr) {
        int family = sockaddr.get(JAVA_SHORT, 0);
        int port = Short.toUnsignedInt(sockaddr.get(NET_SHORT, SIN_PORT_OFFSET));
        try {
            if (family == AF_INET) {
                byte[] ip = sockaddr.asSlice(SIN_ADDR_OFFSET, 4).toArray(JAVA_BYTE);
                return new InetSocketAddress(InetAddress.getByAddress(ip), port);
            }
            if (family == AF_INET6) {
                byte[] ip = sockaddr.asSlice(SIN6_ADDR_OFFSET, 16).toArray(JAVA_BYTE);
                int scope = sockaddr.get(JAVA_INT, SIN6_SCOPE_ID_OFFSET);
                InetAddress address = InetAddress.getByAddress(ip); // Inet4Address when v4-mapped
                if (scope != 0 && address instanceof Inet6Address) {
                    address = Inet6Address.getByAddress(null, ip, scope);
                }
                return new InetSocketAddress(address, port);
            }
        } catch (UnknownHostException e) {
            throw new AssertionError("4 or 16 bytes are always an address", e);
        }
        throw new IllegalArgumentException("not an IPv4 or IPv6 socket address: family " + family);
    }

    /** {@code 127.0.0.1:8080} or {@code [::1]:8080}, for messages. */
    public static String format(InetSocketAddress address) {
        InetAddress ip = address.getAddress();
        String host = ip == null ? address.getHostString() : ip.getHostAddress();
        return (ip instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}

package io.weft.loop.epoll.internal;

import io.weft.loop.core.net.spi.FdExhaustedException;
import io.weft.loop.core.net.spi.PeerResetException;
import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;

/**
 * Linux errno values, their names and texts, and the one place a failed call becomes an
 * {@link IOException}. The numbers are the asm-generic ones, the same on x86-64 and aarch64; the
 * texts are glibc's {@code strerror} in the C locale, kept here so a message never depends on the
 * process locale.
 */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int EINTR = 4;
    public static final int EBADF = 9;
    public static final int EAGAIN = 11;
    public static final int EEXIST = 17;
    public static final int EINVAL = 22;
    public static final int ENFILE = 23;
    public static final int EMFILE = 24;
    public static final int EPIPE = 32;
    public static final int ENOSYS = 38;
    public static final int EADDRINUSE = 98;
    public static final int ECONNRESET = 104;
    public static final int ENOTCONN = 107;
    public static final int ECONNREFUSED = 111;
    public static final int EINPROGRESS = 115;

    private static final String[] NAMES = new String[116];
    private static final String[] TEXTS = new String[116];

    static {
        define(1, "EPERM", "Operation not permitted");
        define(2, "ENOENT", "No such file or directory");
        define(3, "ESRCH", "No such process");
        define(4, "EINTR", "Interrupted system call");
        define(5, "EIO", "Input/output error");
        define(6, "ENXIO", "No such device or address");
        define(7, "E2BIG", "Argument list too long");
        define(8, "ENOEXEC", "Exec format error");
        define(9, "EBADF", "Bad file descriptor");
        define(10, "ECHILD", "No child processes");
        define(11, "EAGAIN", "Resource temporarily unavailable");
        define(12, "ENOMEM", "Cannot allocate memory");
        define(13, "EACCES", "Permission denied");
        define(14, "EFAULT", "Bad address");
        define(15, "ENOTBLK", "Block device required");
        define(16, "EBUSY", "Device or resource busy");
        define(17, "EEXIST", "File exists");
        define(18, "EXDEV", "Invalid cross-device link");
        define(19, "ENODEV", "No such device");
        define(20, "ENOTDIR", "Not a directory");
        define(21, "EISDIR", "Is a directory");
        define(22, "EINVAL", "Invalid argument");
        define(23, "ENFILE", "Too many open files in system");
        define(24, "EMFILE", "Too many open files");
        define(25, "ENOTTY", "Inappropriate ioctl for device");
        define(26, "ETXTBSY", "Text file busy");
        define(27, "EFBIG", "File too large");
        define(28, "ENOSPC", "No space left on device");
        define(29, "ESPIPE", "Illegal seek");
        define(30, "EROFS", "Read-only file system");
        define(31, "EMLINK", "Too many links");
        define(32, "EPIPE", "Broken pipe");
        define(33, "EDOM", "Numerical argument out of domain");
        define(34, "ERANGE", "Numerical result out of range");
        define(35, "EDEADLK", "Resource deadlock avoided");
        define(36, "ENAMETOOLONG", "File name too long");
        define(37, "ENOLCK", "No locks available");
        define(38, "ENOSYS", "Function not implemented");
        define(39, "ENOTEMPTY", "Directory not empty");
        define(40, "ELOOP", "Too many levels of symbolic links");
        define(75, "EOVERFLOW", "Value too large for defined data type");
        define(88, "ENOTSOCK", "Socket operation on non-socket");
        define(89, "EDESTADDRREQ", "Destination address required");
        define(90, "EMSGSIZE", "Message too long");
        define(91, "EPROTOTYPE", "Protocol wrong type for socket");
        define(92, "ENOPROTOOPT", "Protocol not available");
        define(93, "EPROTONOSUPPORT", "Protocol not supported");
        define(94, "ESOCKTNOSUPPORT", "Socket type not supported");
        define(95, "EOPNOTSUPP", "Operation not supported");
        define(96, "EPFNOSUPPORT", "Protocol family not supported");
        define(97, "EAFNOSUPPORT", "Address family not supported by protocol");
        define(98, "EADDRINUSE", "Address already in use");
        define(99, "EADDRNOTAVAIL", "Cannot assign requested address");
        define(100, "ENETDOWN", "Network is down");
        define(101, "ENETUNREACH", "Network is unreachable");
        define(102, "ENETRESET", "Network dropped connection on reset");
        define(103, "ECONNABORTED", "Software caused connection abort");
        define(104, "ECONNRESET", "Connection reset by peer");
        define(105, "ENOBUFS", "No buffer space available");
        define(106, "EISCONN", "Transport endpoint is already connected");
        define(107, "ENOTCONN", "Transport endpoint is not connected");
        define(108, "ESHUTDOWN", "Cannot send after transport endpoint shutdown");
        define(109, "ETOOMANYREFS", "Too many references: cannot splice");
        define(110, "ETIMEDOUT", "Connection timed out");
        define(111, "ECONNREFUSED", "Connection refused");
        define(112, "EHOSTDOWN", "Host is down");
        define(113, "EHOSTUNREACH", "No route to host");
        define(114, "EALREADY", "Operation already in progress");
        define(115, "EINPROGRESS", "Operation now in progress");
    }

    private Errno() {
    }

    private static void define(int errno, String name, String text) {
        NAMES[errno] = name;
        TEXTS[errno] = text;
    }

    /** The symbolic name, such as {@code EBADF}, or {@code errno 200} for one this table lacks. */
    public static String name(int errno) {
        return errno > 0 && errno < NAMES.length && NAMES[errno] != null ? NAMES[errno] : "errno " + errno;
    }

    /** The C-locale text, such as {@code Bad file descriptor}, or {@code unknown error}. */
    public static String text(int errno) {
        return errno > 0 && errno < TEXTS.length && TEXTS[errno] != null ? TEXTS[errno] : "unknown error";
    }

    /**
     * The exception for a failed call: {@code call} names the syscall and the arguments that
     * matter, as in {@code epoll_ctl(ADD, fd=12)}; the message reads {@code epoll_ctl(ADD, fd=12):
     * EBADF (Bad file descriptor)}.
     */
    public static IOException exception(String call, int errno) {
        return new IOException(call + ": " + name(errno) + " (" + text(errno) + ")");
    }

    /**
     * The exception for a failed socket call, typed for what the caller does next: {@link
     * PeerResetException} when the peer reset or is gone (ECONNRESET, EPIPE), {@link
     * FdExhaustedException} when the process or system is out of descriptors (EMFILE, ENFILE), a
     * {@link BindException} when the address is in use (EADDRINUSE), else a plain {@link IOException}. The message reads as {@link #exception}'s.
     */
    public static IOException socketException(String call, int errno) {
        String message = call + ": " + name(errno) + " (" + text(errno) + ")";
        return switch (errno) {
            case ECONNRESET, EPIPE -> new PeerResetException(message);
            case EADDRINUSE -> new BindException(message);
            case EMFILE, ENFILE -> new FdExhaustedException(message);
            default -> new IOException(message);
        };
    }

    /** The exception for a connect that failed (refused, unreachable, timed out): a {@link ConnectException}. */
    public static IOException connectException(String call, int errno) {
        if (errno == EMFILE || errno == ENFILE) {
            return socketException(call, errno);
        }
        return new ConnectException(call + ": " + name(errno) + " (" + text(errno) + ")");
    }
}

package io.weft.loop.epoll;

import io.weft.loop.epoll.internal.EpollCalls;
import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.FdCalls;
import io.weft.loop.epoll.internal.Native;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Locale;

/**
 * Whether the epoll poller can run in this process, and if not, why.
 *
 * <p>It can when the OS is Linux and the JVM lets this module call native code. Since JDK 24 a
 * module without {@code --enable-native-access} may still call it, with a warning, unless the JVM
 * runs with {@code --illegal-native-access=deny}: then epoll is unavailable and {@link
 * #unavailabilityCause()} names the flag to add. When the calls are merely allowed with a warning,
 * epoll is available and says once, through {@link System.Logger}, which flag silences it.
 *
 * <p>The answer is worked out once, on first use, by opening and closing an epoll instance. Safe
 * from any thread.
 *
 * {@snippet :
 * if (!Epoll.isAvailable()) {
 *     System.err.println("running on java.nio: " + Epoll.unavailabilityCause().getMessage());
 * }
 * }
 */
public final class Epoll {
    private Epoll() {
    }

    /** {@return whether {@code -Dweft.poller=epoll} (or the default choice) can use epoll here} */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /**
     * Throws if epoll cannot be used here.
     *
     * @throws IllegalStateException with the reason and what to do, the cause attached
     */
    public static void ensureAvailability() {
        Throwable cause = Probe.CAUSE;
        if (cause != null) {
            throw new IllegalStateException("the epoll poller is unavailable: " + cause.getMessage(), cause);
        }
    }

    /** {@return why epoll cannot be used here, with what to do about it; null when it can} */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    /** {@return the {@code --enable-native-access} flag this module needs, as the JVM runs it (module or class path)} */
    public static String nativeAccessFlag() {
        Module module = Epoll.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /** Why {@code osName} rules epoll out, or null when it does not. */
    static String platformCause(String osName) {
        if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "epoll is a Linux API and this is " + osName
                    + "; leave loop-epoll off the class path or run with -Dweft.poller=nio";
        }
        return null;
    }

    private static final class Probe {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            try {
                String platform = platformCause(System.getProperty("os.name"));
                if (platform != null) {
                    return new UnsupportedOperationException(platform);
                }
                boolean enabled = Epoll.class.getModule().isNativeAccessEnabled();
                try {
                    Native.checkAccess();
                    openAndCloseOne();
                } catch (IllegalCallerException e) {
                    return new IllegalCallerException("the JVM refuses native access to "
                            + moduleName() + " (--illegal-native-access=deny); add " + nativeAccessFlag(), e);
                }
                if (!enabled) {
                    System.getLogger(Epoll.class.getName()).log(System.Logger.Level.WARNING,
                            "native access is not enabled for " + moduleName() + ": the JVM lets loop-epoll"
                                    + " call epoll through java.lang.foreign with a warning today, and will refuse"
                                    + " in a future release;"
                                    + " add " + nativeAccessFlag());
                }
                return null;
            } catch (Throwable t) {
                // Never let a probe failure escape: it is a reason not to use epoll, nothing more.
                return new IllegalStateException("epoll failed to start: " + t, t);
            }
        }

        private static void openAndCloseOne() throws java.io.IOException {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment errno = Native.newErrnoSegment(arena);
                int epfd = EpollCalls.create1(errno, EpollCalls.EPOLL_CLOEXEC);
                if (epfd < 0) {
                    throw Errno.exception("epoll_create1(EPOLL_CLOEXEC)", -epfd);
                }
                FdCalls.close(errno, epfd);
            }
        }

        private static String moduleName() {
            Module module = Epoll.class.getModule();
            return module.isNamed() ? "module " + module.getName() : "the class path (unnamed module)";
        }
    }
}

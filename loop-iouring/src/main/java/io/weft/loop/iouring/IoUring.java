package io.weft.loop.iouring;

import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.epoll.internal.Native;
import io.weft.loop.iouring.internal.IoUringPoller;
import io.weft.loop.iouring.internal.RingSetupException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Whether the io_uring poller can run in this process, and if not, why.
 *
 * <p>It can when the OS is Linux, the JVM lets this module call native code, and the kernel lets
 * this process set up a ring with the features the poller needs ({@code IORING_FEAT_SINGLE_MMAP},
 * {@code _NODROP}, {@code _EXT_ARG}: Linux 5.11+). The reason names what is missing: the kernel
 * version ({@code ENOSYS}, or a feature), the {@code kernel.io_uring_disabled} sysctl, a seccomp
 * filter ({@code EPERM} with the sysctl at 0, as container runtimes' default profiles do), or native
 * access ({@code --illegal-native-access=deny}).
 *
 * <p>The answer is worked out once, on first use, by opening and closing a poller. Safe from any thread.
 */
public final class IoUring {
    private static final Path DISABLED_SYSCTL = Path.of("/proc/sys/kernel/io_uring_disabled");

    private IoUring() {
    }

    /** {@return whether {@code -Dweft.poller=iouring} can use io_uring here} */
    public static boolean isAvailable() {
        return Probe.CAUSE == null;
    }

    /**
     * Throws if io_uring cannot be used here.
     *
     * @throws IllegalStateException with the reason and what to do, the cause attached
     */
    public static void ensureAvailability() {
        Throwable cause = Probe.CAUSE;
        if (cause != null) {
            throw new IllegalStateException("the iouring poller is unavailable: " + cause.getMessage(), cause);
        }
    }

    /** {@return why io_uring cannot be used here, with what to do about it; null when it can} */
    public static Throwable unavailabilityCause() {
        return Probe.CAUSE;
    }

    /**
     * Why {@code io_uring_setup} failing with {@code errno} rules io_uring out, given the value of
     * {@code /proc/sys/kernel/io_uring_disabled} ({@code disabledSysctl}, null when the file is
     * absent, as before Linux 6.6).
     */
    static String setupCause(int errno, String disabledSysctl) {
        String sysctl = disabledSysctl == null ? "" : disabledSysctl.strip();
        if (errno == Errno.ENOSYS) {
            return "io_uring_setup failed with ENOSYS: the kernel is older than Linux 5.1 or built without"
                    + " io_uring, or a seccomp filter hides the call; use -Dweft.poller=epoll";
        }
        if (errno == Errno.EPERM && !sysctl.isEmpty() && !sysctl.equals("0")) {
            return "io_uring is disabled by the sysctl kernel.io_uring_disabled=" + sysctl
                    + (sysctl.equals("1") ? " (only members of kernel.io_uring_group may use it)" : "")
                    + "; set it to 0 or use -Dweft.poller=epoll";
        }
        if (errno == Errno.EPERM) {
            return "io_uring_setup failed with EPERM while kernel.io_uring_disabled is "
                    + (sysctl.isEmpty() ? "absent" : "0")
                    + ": a seccomp filter denies it (container runtimes' default profiles do); allow"
                    + " io_uring_setup/io_uring_enter or use -Dweft.poller=epoll";
        }
        return "io_uring_setup failed with " + Errno.name(errno) + " (" + Errno.text(errno)
                + "); use -Dweft.poller=epoll";
    }

    /** Why {@code osName} rules io_uring out, or null when it does not. */
    static String platformCause(String osName) {
        if (osName == null || !osName.toLowerCase(Locale.ROOT).startsWith("linux")) {
            return "io_uring is a Linux API and this is " + osName
                    + "; leave loop-iouring off the path or run with -Dweft.poller=nio";
        }
        return null;
    }

    /**
     * {@return the {@code --enable-native-access} flag this module needs, as the JVM runs it: on the module
     * path it names this module and loop-epoll's, whose native layer it calls; on the class path
     * {@code ALL-UNNAMED}}
     */
    public static String nativeAccessFlag() {
        Module module = IoUring.class.getModule();
        return "--enable-native-access="
                + (module.isNamed() ? module.getName() + "," + Native.class.getModule().getName() : "ALL-UNNAMED");
    }

    private static final class Probe {
        static final Throwable CAUSE = probe();

        private static Throwable probe() {
            try {
                String platform = platformCause(System.getProperty("os.name"));
                if (platform != null) {
                    return new UnsupportedOperationException(platform);
                }
                try {
                    checkAccess();
                    Native.checkAccess();
                    IoUringPoller.open().close();
                } catch (IllegalCallerException e) {
                    return new IllegalCallerException("the JVM refuses native access to " + moduleName()
                            + " (--illegal-native-access=deny); add " + nativeAccessFlag(), e);
                } catch (RingSetupException e) {
                    return new IOException(setupCause(e.errno(), readSysctl()), e);
                } catch (IOException e) {
                    return new IOException(e.getMessage() + "; use -Dweft.poller=epoll", e);
                }
                return null;
            } catch (Throwable t) {
                // Never let a probe failure escape: it is a reason not to use io_uring, nothing more.
                return new IllegalStateException("io_uring failed to start: " + t, t);
            }
        }

        /**
         * Makes a throwaway handle from this module, the first restricted call it makes: it throws
         * {@link IllegalCallerException} when the JVM refuses this module native access.
         */
        @SuppressWarnings("restricted")
        private static void checkAccess() {
            Linker.nativeLinker().downcallHandle(FunctionDescriptor.ofVoid());
        }

        private static String readSysctl() {
            try {
                return Files.readString(DISABLED_SYSCTL);
            } catch (IOException | SecurityException e) {
                return null;
            }
        }

        private static String moduleName() {
            Module module = IoUring.class.getModule();
            return module.isNamed() ? "module " + module.getName() : "the class path (unnamed module)";
        }
    }
}

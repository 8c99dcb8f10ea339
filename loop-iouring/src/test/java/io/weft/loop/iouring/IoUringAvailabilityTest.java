package io.weft.loop.iouring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.EventLoop;
import io.weft.loop.epoll.internal.EpollTcpBackend;
import io.weft.loop.epoll.internal.Errno;
import io.weft.loop.iouring.internal.IoUringTcpBackend;
import io.weft.loop.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link IoUring} and {@link IoUringPollerProvider} say about availability, here and in a child JVM. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IoUringAvailabilityTest {

    @Test
    void onThisKernelIoUringIsAvailableButEpollStaysTheDefault() throws IOException {
        IoUringPollerProvider provider = new IoUringPollerProvider();
        assertThat(IoUring.unavailabilityCause()).isNull();
        assertThat(IoUring.isAvailable()).isTrue();
        assertThatCode(IoUring::ensureAvailability).doesNotThrowAnyException();
        assertThat(provider.name()).isEqualTo("iouring");
        assertThat(provider.priority()).isGreaterThan(0).isLessThan(10);
        provider.newPoller().close();
        try (EventLoop loop = EventLoop.create()) {
            assertThat(loop.pollerName()).isEqualTo("epoll");
        }
        try (EventLoop loop = EventLoop.builder().poller("iouring").build()) {
            assertThat(loop.pollerName()).isEqualTo("iouring");
        }
    }

    @Test
    void tcpIsCompletionDrivenHereAndReadinessBasedWhenAskedFor() {
        IoUringTcpBackendProvider provider = new IoUringTcpBackendProvider();
        assertThat(provider.create()).isSameAs(IoUringTcpBackend.INSTANCE);
        try {
            System.setProperty("weft.iouring.tcp", "readiness");
            assertThat(provider.create()).isSameAs(EpollTcpBackend.INSTANCE);
            System.setProperty("weft.iouring.tcp", "fast");
            assertThatThrownBy(provider::create).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("-Dweft.iouring.tcp=fast").hasMessageContaining("completions or readiness");
        } finally {
            System.clearProperty("weft.iouring.tcp");
        }
    }

    @Test
    void eachSetupFailureNamesItsCause() {
        assertThat(IoUring.setupCause(Errno.ENOSYS, "0")).contains("ENOSYS").contains("kernel").contains("seccomp")
                .contains("-Dweft.poller=epoll");
        assertThat(IoUring.setupCause(Errno.EPERM, "2\n")).contains("kernel.io_uring_disabled=2").contains("set it to 0");
        assertThat(IoUring.setupCause(Errno.EPERM, "1")).contains("kernel.io_uring_disabled=1").contains("io_uring_group");
        assertThat(IoUring.setupCause(Errno.EPERM, "0")).contains("seccomp").contains("EPERM");
        assertThat(IoUring.setupCause(Errno.EPERM, null)).contains("seccomp").contains("absent");
        assertThat(IoUring.setupCause(12, "0")).contains("ENOMEM");
    }

    @Test
    void anotherOsIsRuledOutWithWhatToDo() {
        assertThat(IoUring.platformCause("Mac OS X")).contains("Linux").contains("Mac OS X").contains("-Dweft.poller=nio");
        assertThat(IoUring.platformCause("Linux")).isNull();
    }

    @Test
    void whenTheJvmDeniesNativeAccessIoUringIsUnavailableAndNamesTheFlag() throws Exception {
        Process process = new ProcessBuilder(ChildJvm.command(List.of("--illegal-native-access=deny"),
                AvailabilityMain.class)).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(out + err).isZero();
        assertThat(out).contains("available=false,false").contains("--illegal-native-access=deny")
                .contains("add --enable-native-access=io.weft.loop.iouring,io.weft.loop.epoll").contains("default=nio");
    }

    @Test
    void onTheModulePathTheFlagNamesThisModuleAndLoopEpoll() {
        assertThat(IoUring.nativeAccessFlag()).isEqualTo("--enable-native-access=io.weft.loop.iouring,io.weft.loop.epoll");
    }
}

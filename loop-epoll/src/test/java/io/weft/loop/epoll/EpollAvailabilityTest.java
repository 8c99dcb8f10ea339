package io.weft.loop.epoll;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.weft.loop.core.EventLoop;
import io.weft.loop.testkit.ChildJvm;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** What {@link Epoll} and {@link EpollPollerProvider} say about availability, here and in child JVMs. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EpollAvailabilityTest {

    @Test
    void onLinuxWithNativeAccessEnabledEpollIsAvailableAndWinsTheDefaultChoice() throws IOException {
        EpollPollerProvider provider = new EpollPollerProvider();
        assertThat(Epoll.isAvailable()).isTrue();
        assertThat(Epoll.unavailabilityCause()).isNull();
        assertThatCode(Epoll::ensureAvailability).doesNotThrowAnyException();
        assertThat(provider.name()).isEqualTo("epoll");
        assertThat(provider.priority()).isGreaterThan(0);
        assertThat(provider.unavailabilityCause()).isEmpty();
        provider.newPoller().close();
        try (EventLoop loop = EventLoop.create()) {
            assertThat(loop.pollerName()).isEqualTo("epoll");
        }
    }

    @Test
    void anotherOsIsRuledOutWithWhatToDo() {
        assertThat(Epoll.platformCause("Mac OS X")).contains("Linux").contains("Mac OS X").contains("-Dweft.poller=nio");
        assertThat(Epoll.platformCause(null)).contains("Linux");
        assertThat(Epoll.platformCause("Linux")).isNull();
    }

    @Test
    void onTheModulePathTheFlagNamesTheModule() {
        assertThat(Epoll.nativeAccessFlag()).isEqualTo("--enable-native-access=io.weft.loop.epoll");
    }

    @Test
    void whenTheJvmDeniesNativeAccessEpollIsUnavailableNamesTheFlagAndNioIsChosen() throws Exception {
        Result child = runChild("--illegal-native-access=deny");
        assertThat(child.stdout).contains("available=false,false")
                .contains("--illegal-native-access=deny").contains("add --enable-native-access=io.weft.loop.epoll")
                .contains("newPoller=IllegalStateException: the epoll poller is unavailable")
                .contains("default=nio");
    }

    @Test
    void whenNativeAccessIsOnlyWarnedAboutEpollIsAvailableAndSaysSoOnce() throws Exception {
        Result child = runChild();
        assertThat(child.stdout).contains("available=true,true").contains("newPoller=ok").contains("default=epoll");
        assertThat(count(child.stderr, "add --enable-native-access=io.weft.loop.epoll")).as(child.stderr).isEqualTo(1);
    }

    @Test
    void whenNativeAccessIsEnabledNothingIsLogged() throws Exception {
        Result child = runChild("--enable-native-access=io.weft.loop.epoll");
        assertThat(child.stdout).contains("available=true,true").contains("default=epoll");
        assertThat(child.stderr).doesNotContain("loop-epoll");
    }

    private record Result(String stdout, String stderr) {
    }

    private static Result runChild(String... jvmFlags) throws Exception {
        Process process = new ProcessBuilder(ChildJvm.command(List.of(jvmFlags), AvailabilityMain.class)).start();
        process.getOutputStream().close();
        byte[] out = process.getInputStream().readAllBytes();
        byte[] err = process.getErrorStream().readAllBytes();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Result result = new Result(new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
        assertThat(process.exitValue()).as(result.toString()).isZero();
        return result;
    }

    private static int count(String text, String part) {
        int n = 0;
        for (int i = text.indexOf(part); i >= 0; i = text.indexOf(part, i + 1)) {
            n++;
        }
        return n;
    }
}

package io.weft.loop.epoll.internal;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.spi.PollSource;
import io.weft.loop.testkit.ChildJvm;
import java.nio.channels.Pipe;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Without the export that gives a channel's fd, watching a channel on epoll names the exact flag: the
 * one for this module, since the tests run on the module path as a modular application does.
 */
class EpollChannelFlagTest {

    @Test
    void withoutTheExportWatchingAChannelNamesTheFlagToAdd() throws Exception {
        String out = runChild(List.of("--enable-native-access=io.weft.loop.epoll"));
        assertThat(out).startsWith("UnsupportedOperationException: ")
                .contains("the JVM flag --add-exports java.base/sun.nio.ch=io.weft.loop.epoll")
                .contains("-Dweft.poller=nio");
    }

    @Test
    void withTheExportTheChannelIsWatched() throws Exception {
        assertThat(runChild(List.of("--enable-native-access=io.weft.loop.epoll", "--add-exports",
                "java.base/sun.nio.ch=io.weft.loop.epoll"))).isEqualTo("watched");
    }

    private static String runChild(List<String> flags) throws Exception {
        Process process = new ProcessBuilder(ChildJvm.command(flags, Child.class)).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    /** Validates a pipe's source channel on an epoll poller; prints the outcome. */
    static final class Child {
        public static void main(String[] args) throws Exception {
            Pipe pipe = Pipe.open();
            pipe.source().configureBlocking(false);
            try (EpollPoller poller = EpollPoller.open(EpollPoller.Options.DEFAULT)) {
                poller.validate(PollSource.of(pipe.source()));
                System.out.println("watched");
            } catch (UnsupportedOperationException e) {
                System.out.println("UnsupportedOperationException: " + e.getMessage());
            }
        }
    }
}

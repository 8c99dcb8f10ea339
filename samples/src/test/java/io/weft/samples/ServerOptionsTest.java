package io.weft.samples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.core.net.TcpServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class ServerOptionsTest {

    @Test
    void defaultsToLoopbackPort8080OneLoopPerCoreAnd30Seconds() throws Exception {
        ServerOptions options = ServerOptions.parse();
        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(8080);
        assertThat(options.loops()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(options.poller()).isEmpty();
        assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.style()).isEqualTo(ServerStyle.LOOP);
    }

    @Test
    void theMinimumBodyRateDefaultsTo240AndZeroTurnsItOff() throws Exception {
        assertThat(ServerOptions.parse().minBodyRate()).isEqualTo(240);
        assertThat(ServerOptions.parse("--min-body-rate", "0").minBodyRate()).isZero();
        assertThat(io.weft.samples.http.HttpMain.config(ServerOptions.parse("--min-body-rate=1000")).minBodyRate()).isEqualTo(1000);
    }

    @Test
    void parsesEveryOptionInBothSpellings() throws Exception {
        ServerOptions options = ServerOptions.parse("--host", "::1", "--port=9000", "--loops", "3",
                "--poller=nio", "--idle-timeout", "0", "--style", "loop");
        assertThat(options).isEqualTo(new ServerOptions("::1", 9000, 3, Optional.of("nio"), Duration.ZERO,
                ServerStyle.LOOP));
    }

    @Test
    void unixNamesASocketPathInPlaceOfHostAndPort() throws Exception {
        assertThat(ServerOptions.parse().unix()).isEmpty();
        assertThat(ServerOptions.parse("--unix", "/run/weft.sock").unix()).contains(java.nio.file.Path.of("/run/weft.sock"));
        assertThatThrownBy(() -> ServerOptions.parse("--unix=/run/weft.sock", "--port", "9000"))
                .isInstanceOf(UsageException.class)
                .hasMessageContaining("--unix replaces --host and --port");
    }

    @Test
    void parsesTheVthreadsStyle() throws Exception {
        assertThat(ServerOptions.parse("--style", "vthreads").style()).isEqualTo(ServerStyle.VTHREADS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--port", "--port=x", "--port=70000", "--port=-1", "--loops=0",
            "--idle-timeout=-5", "--host=", "--style=fibers", "8080", "-p"})
    void rejectsABadCommandLine(String arg) {
        assertThatThrownBy(() -> ServerOptions.parse(arg)).isInstanceOf(UsageException.class)
                .satisfies(e -> assertThat(((UsageException) e).helpRequested()).isFalse());
    }

    @Test
    void treatsHelpAsARequestNotAMistake() {
        assertThatThrownBy(() -> ServerOptions.parse("--port", "1", "--help")).isInstanceOf(UsageException.class)
                .satisfies(e -> assertThat(((UsageException) e).helpRequested()).isTrue());
    }

    @Test
    void launchPrintsUsageAndReturns2ForABadOptionOrAnUnknownPoller() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        SampleLauncher.Starter never = (group, address, options) -> {
            throw new AssertionError("must not start");
        };
        int code = SampleLauncher.launch("http", new String[] {"--nope"}, never, print(out), print(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--nope'").contains("usage:");
        assertThat(out.size()).isZero();

        err.reset();
        code = SampleLauncher.launch("http", new String[] {"--poller", "no-such-poller", "--port", "0"}, never,
                print(out), print(err));
        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no-such-poller").contains("usage:");
    }

    @Test
    void printsOneListeningLineWithTheBoundAddress() throws Exception {
        ServerOptions options = new ServerOptions("127.0.0.1", 0, 1, Optional.of("nio"), Duration.ZERO,
                ServerStyle.LOOP);
        SampleLauncher.Running running = SampleLauncher.start("test", options,
                (group, address, o) -> SampleLauncher.Listener.of(TcpServer.listen(group, address,
                        io.weft.loop.core.net.TcpOptions.defaults(), () -> (connection, data) -> data.position(data.limit()))));
        try {
            assertThat(running.banner()).matches("weft test listening on 127\\.0\\.0\\.1:\\d+ \\(1 loop, nio poller\\)");
            assertThat(running.banner()).doesNotContain(":0 ");
        } finally {
            running.stop(Duration.ofSeconds(1));
        }
        assertThat(running.group().loops()).allSatisfy(loop -> assertThat(loop.isClosed()).isTrue());
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}

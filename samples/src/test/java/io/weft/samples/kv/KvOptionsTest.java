package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.weft.loop.vthreads.Carrier;
import io.weft.samples.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class KvOptionsTest {

    @Test
    void defaultsToPort6380TheLoopCarrierAndNoIdleTimeout() {
        KvOptions options = KvOptions.parse();
        assertThat(options.host()).isEqualTo("127.0.0.1");
        assertThat(options.port()).isEqualTo(6380);
        assertThat(options.poller()).isEmpty();
        assertThat(options.config()).isEqualTo(KvConfig.defaults());
        assertThat(options.config().carrier()).isEqualTo(Carrier.LOOP);
        assertThat(options.config().idleTimeout()).isZero();
        assertThat(options.config().limits().maxBulkBytes()).isEqualTo(64 * 1024 * 1024);
    }

    @Test
    void parsesEveryOptionInBothSpellings() {
        KvOptions options = KvOptions.parse("--host", "::1", "--port=0", "--loops", "3", "--poller=nio",
                "--carrier", "pool", "--idle-timeout=60", "--max-bulk", "1024");
        assertThat(options).isEqualTo(new KvOptions("::1", 0, 3, Optional.of("nio"), KvConfig.defaults()
                .withCarrier(Carrier.POOL).withIdleTimeout(Duration.ofSeconds(60))
                .withLimits(RespLimits.defaults().withMaxBulkBytes(1024)), Optional.empty()));
    }

    @Test
    void takesTheOtherSamplesTlsOptionsAsAPairOnly() {
        assertThat(KvOptions.parse("--tls-cert", "chain.pem", "--tls-key=key.pem").tls()).hasValue(
                new ServerOptions.TlsFiles(Path.of("chain.pem"), Path.of("key.pem")));
        assertThat(KvOptions.parse().tls()).isEmpty();
        assertThatThrownBy(() -> KvOptions.parse("--tls-key", "key.pem"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--tls-cert and --tls-key go together");
        assertThat(KvOptions.usage()).contains("--tls-cert FILE", "--tls-key FILE").endsWith("print this and exit\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"--bogus", "--port", "--port=x", "--port=70000", "--loops=0", "--carrier=fibers",
            "--max-bulk=536870913", "--max-bulk=-1", "--idle-timeout=-5", "--host=", "--style=loop", "6380"})
    void rejectsABadCommandLine(String arg) {
        assertThatThrownBy(() -> KvOptions.parse(arg)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void unixNamesASocketPathInPlaceOfHostAndPort() {
        assertThat(KvOptions.parse("--unix", "kv.sock").unix()).contains(java.nio.file.Path.of("kv.sock"));
        assertThatThrownBy(() -> KvOptions.parse("--unix", "kv.sock", "--host", "::1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--unix replaces --host and --port");
    }

    @Test
    void launchPrintsUsageAndReturns2ForABadOptionOrAnUnknownPollerAnd0ForHelp() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertThat(KvMain.launch(new String[] {"--nope"}, print(out), print(err))).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("unknown option '--nope'").contains("usage:");
        err.reset();
        assertThat(KvMain.launch(new String[] {"--poller", "no-such-poller", "--port", "0"}, print(out), print(err)))
                .isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("no-such-poller").contains("usage:");
        assertThat(out.size()).isZero();
        assertThat(KvMain.launch(new String[] {"--help"}, print(out), print(err))).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: java -jar weft-kv.jar");
    }

    @Test
    void theBannerNamesAddressLoopsPollerAndCarrier() throws Exception {
        KvMain.Running running = KvMain.start(KvOptions.parse("--port", "0", "--loops", "1", "--poller", "nio"));
        try {
            assertThat(running.banner())
                    .matches("weft kv listening on 127\\.0\\.0\\.1:\\d+ \\(1 loop, nio poller, loop carrier\\)")
                    .doesNotContain(":0 ");
        } finally {
            running.stop();
        }
        assertThat(running.group().loops()).allSatisfy(loop -> assertThat(loop.isClosed()).isTrue());
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }
}

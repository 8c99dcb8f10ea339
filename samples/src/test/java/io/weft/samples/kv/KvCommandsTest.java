package io.weft.samples.kv;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The commands against a store on a manual clock, request bytes in, reply bytes out. */
class KvCommandsTest {
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final KvStore store = new KvStore(now::get);
    private final KvCommands commands = new KvCommands(store);

    /** Runs inline {@code requests} (one per line) and returns the replies, concatenated. */
    private String run(String... requests) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        RespWriter writer = new RespWriter(out);
        RespReader reader = new RespReader(
                new ByteArrayInputStream(String.join("\r\n", requests).concat("\r\n").getBytes(StandardCharsets.ISO_8859_1)),
                RespLimits.defaults());
        for (List<byte[]> r; (r = reader.read()) != null; ) {
            commands.execute(r, writer);
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    @Test
    void pingAndEcho() throws IOException {
        assertThat(run("PING", "ping hi", "ECHO hello", "PING a b", "ECHO")).isEqualTo("+PONG\r\n$2\r\nhi\r\n$5\r\nhello\r\n"
                + "-ERR wrong number of arguments for 'ping' command\r\n-ERR wrong number of arguments for 'echo' command\r\n");
    }

    @Test
    void setGetDelExists() throws IOException {
        assertThat(run("GET k", "SET k v", "GET k", "set k w", "get k", "EXISTS k k nope", "DEL k nope", "DEL k", "GET k"))
                .isEqualTo("$-1\r\n+OK\r\n$1\r\nv\r\n+OK\r\n$1\r\nw\r\n:2\r\n:1\r\n:0\r\n$-1\r\n");
    }

    @Test
    void setNxAndXx() throws IOException {
        assertThat(run("SET k v XX", "SET k v NX", "SET k w NX", "SET k w XX", "GET k", "SET k v NX XX"))
                .isEqualTo("$-1\r\n+OK\r\n$-1\r\n+OK\r\n$1\r\nw\r\n-ERR syntax error\r\n");
    }

    @Test
    void aKeySetWithExOrPxIsGoneOnceItsTimePasses() throws IOException {
        assertThat(run("SET a 1 EX 10", "SET b 2 PX 1500", "MGET a b")).isEqualTo("+OK\r\n+OK\r\n*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
        now.addAndGet(1_499);
        assertThat(run("MGET a b")).isEqualTo("*2\r\n$1\r\n1\r\n$1\r\n2\r\n");
        now.addAndGet(1);
        assertThat(run("MGET a b", "EXISTS b", "SET b 3 NX", "GET b")).isEqualTo("*2\r\n$1\r\n1\r\n$-1\r\n:0\r\n+OK\r\n$1\r\n3\r\n");
        now.addAndGet(8_500);
        assertThat(run("GET a", "SET a x XX", "DEL a")).isEqualTo("$-1\r\n$-1\r\n:0\r\n");
    }

    @Test
    void aPlainSetClearsTheTimeToLive() throws IOException {
        run("SET k v PX 10", "SET k w");
        now.addAndGet(100);
        assertThat(run("GET k")).isEqualTo("$1\r\nw\r\n");
    }

    @Test
    void badExpiryOptionsAreRefused() throws IOException {
        assertThat(run("SET k v EX", "SET k v EX x", "SET k v EX 0", "SET k v PX -5", "SET k v EX 1 PX 1", "SET k v FOO",
                "SET k v EX 9223372036854775807", "SET k", "GET k")).isEqualTo("-ERR syntax error\r\n"
                + "-ERR value is not an integer or out of range\r\n"
                + "-ERR invalid expire time in 'set' command\r\n-ERR invalid expire time in 'set' command\r\n"
                + "-ERR syntax error\r\n-ERR syntax error\r\n-ERR invalid expire time in 'set' command\r\n"
                + "-ERR wrong number of arguments for 'set' command\r\n$-1\r\n");
    }

    @Test
    void incrCountsFromZeroAndRefusesWhatIsNotAnInteger() throws IOException {
        assertThat(run("INCR n", "INCR n", "SET s abc", "INCR s", "SET m -5", "INCR m", "SET z 007", "INCR z", "SET p +1",
                "INCR p", "SET sp ' 1'", "SET big 9223372036854775807", "INCR big", "SET huge 9223372036854775808",
                "INCR huge", "SET min -9223372036854775808", "INCR min", "GET n"))
                .isEqualTo(":1\r\n:2\r\n+OK\r\n-ERR value is not an integer or out of range\r\n+OK\r\n:-4\r\n+OK\r\n"
                        + "-ERR value is not an integer or out of range\r\n+OK\r\n"
                        + "-ERR value is not an integer or out of range\r\n-ERR syntax error\r\n+OK\r\n"
                        + "-ERR increment or decrement would overflow\r\n+OK\r\n"
                        + "-ERR value is not an integer or out of range\r\n+OK\r\n:-9223372036854775807\r\n$1\r\n2\r\n");
    }

    @Test
    void incrKeepsTheTimeToLive() throws IOException {
        run("SET n 1 PX 100", "INCR n");
        now.addAndGet(100);
        assertThat(run("GET n", "INCR n")).isEqualTo("$-1\r\n:1\r\n");
    }

    @Test
    void msetAndMget() throws IOException {
        assertThat(run("MSET a 1 b 2", "MGET a nope b", "MSET a", "MSET a 1 b", "MGET"))
                .isEqualTo("+OK\r\n*3\r\n$1\r\n1\r\n$-1\r\n$1\r\n2\r\n-ERR wrong number of arguments for 'mset' command\r\n"
                        + "-ERR wrong number of arguments for 'mset' command\r\n"
                        + "-ERR wrong number of arguments for 'mget' command\r\n");
    }

    @Test
    void commandAnswersAnEmptyArrayAndUnknownCommandsAreNamed() throws IOException {
        assertThat(run("COMMAND", "COMMAND DOCS", "FLUSHALL", "HGETALL x")).isEqualTo(
                "*0\r\n*0\r\n-ERR unknown command 'FLUSHALL'\r\n-ERR unknown command 'HGETALL'\r\n");
    }

    @Test
    void quitAnswersOkAndEndsTheConnection() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean goOn = commands.execute(List.of("quit".getBytes(StandardCharsets.US_ASCII)), new RespWriter(out));
        assertThat(goOn).isFalse();
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("+OK\r\n");
    }

    @Test
    void anUnknownCommandsNameCannotBreakTheReplyStream() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        commands.execute(List.of("x\r\n+OK".getBytes(StandardCharsets.US_ASCII)), new RespWriter(out));
        assertThat(out.toString(StandardCharsets.US_ASCII)).isEqualTo("-ERR unknown command 'x??+OK'\r\n");
    }

    @Test
    void theSweepRemovesExpiredKeysOnly() throws IOException {
        run("SET a 1 PX 10", "SET b 2 PX 1000", "SET c 3");
        now.addAndGet(10);
        int[] yields = {0};
        assertThat(store.sweep(1, () -> yields[0]++)).isEqualTo(1);
        assertThat(store.size()).isEqualTo(2);
        assertThat(yields[0]).isEqualTo(3);
        assertThat(run("MGET a b c")).isEqualTo("*3\r\n$-1\r\n$1\r\n2\r\n$1\r\n3\r\n");
    }
}

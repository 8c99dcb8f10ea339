package io.weft.samples.http;

import static io.weft.samples.http.ParserDriver.bytes;
import static io.weft.samples.http.ParserDriver.parseAll;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RequestParserTest {
    private static final String H = "Host: example.com\r\n";

    static Stream<Arguments> validRequests() {
        return Stream.of(
                Arguments.of("GET / HTTP/1.1\r\n" + H + "\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("HEAD / HTTP/1.1\r\n" + H + "\r\n", "HEAD root 1.1 keep-alive cl=-1"),
                Arguments.of("DELETE / HTTP/1.1\r\n" + H + "\r\n", "OTHER root 1.1 keep-alive cl=-1"),
                Arguments.of("get / HTTP/1.1\r\n" + H + "\r\n", "OTHER root 1.1 keep-alive cl=-1"),
                Arguments.of("GET /?q=1&r=/a/b HTTP/1.1\r\n" + H + "\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET /a/b HTTP/1.1\r\n" + H + "\r\n", "GET ab 1.1 keep-alive cl=-1"),
                Arguments.of("GET /a/b?x HTTP/1.1\r\n" + H + "\r\n", "GET ab 1.1 keep-alive cl=-1"),
                Arguments.of("GET /a HTTP/1.1\r\n" + H + "\r\n", "GET 404 1.1 keep-alive cl=-1"),
                Arguments.of("GET /a/b/ HTTP/1.1\r\n" + H + "\r\n", "GET 404 1.1 keep-alive cl=-1"),
                Arguments.of("GET http://example.com/a/b?x HTTP/1.1\r\n" + H + "\r\n", "GET ab 1.1 keep-alive cl=-1"),
                Arguments.of("GET http://example.com HTTP/1.1\r\n" + H + "\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET http://example.com?x=/a/b HTTP/1.1\r\n" + H + "\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("OPTIONS * HTTP/1.1\r\n" + H + "\r\n", "OTHER 404 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.0\r\n\r\n", "GET root 1.0 close cl=-1"),
                Arguments.of("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET root 1.0 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", "GET root 1.0 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", "GET root 1.0 close cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n", "GET root 1.1 close cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "connection: Upgrade ,  CLOSE \r\n\r\n", "GET root 1.1 close cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "Connection: closed\r\n\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.2\r\n" + H + "\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.1\n" + "Host: x\n\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\nHost:   x \t \r\n\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\nHost:\r\n\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\nhOsT: x\r\nX-Caf\u00e9: no\r\n\r\n".replace("X-Caf\u00e9: no", "X-Cafe: caf\u00e9"),
                        "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-Empty:\r\nX-Tab:\tv\tw\r\n\r\n", "GET root 1.1 keep-alive cl=-1"),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello", "POST root 1.1 keep-alive cl=5"),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 0\r\n\r\n", "POST root 1.1 keep-alive cl=0"),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 000\r\n\r\n", "POST root 1.1 keep-alive cl=0"),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 5, 5\r\n\r\nhello", "POST root 1.1 keep-alive cl=5"),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\ncontent-length: 5\r\n\r\nhello",
                        "POST root 1.1 keep-alive cl=5"),
                Arguments.of("PUT /a/b HTTP/1.0\r\nContent-Length: 3\r\n\r\nabc", "OTHER ab 1.0 close cl=3"));
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void parsesAValidRequest(String raw, String expected) {
        ParserDriver driver = new ParserDriver().feed(raw);
        assertThat(driver.events).containsExactly(expected);
        assertThat(driver.pendingBytes()).isZero();
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void parsesAValidRequestSplitAtEveryByte(String raw, String expected) {
        byte[] bytes = bytes(raw);
        for (int split = 0; split <= bytes.length; split++) {
            ParserDriver driver = new ParserDriver().feed(bytes, 0, split).feed(bytes, split, bytes.length);
            assertThat(driver.events).as("split at %d", split).containsExactly(expected);
        }
    }

    @ParameterizedTest
    @MethodSource("validRequests")
    void parsesAValidRequestFedOneByteAtATime(String raw, String expected) {
        byte[] bytes = bytes(raw);
        ParserDriver driver = new ParserDriver();
        for (int i = 0; i < bytes.length; i++) {
            driver.feed(bytes, i, i + 1);
        }
        assertThat(driver.events).containsExactly(expected);
    }

    static Stream<Arguments> refusedRequests() {
        return Stream.of(
                // framing: a body we cannot frame must never be read as the next request
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n", 501),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: gzip, chunked\r\n\r\n", 501),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "transfer-encoding: identity\r\n\r\n", 501),
                Arguments.of("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", 501),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: abc\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: -1\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: +5\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 0x5\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 1 2\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length:\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 5, 6\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: ,5\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 5\r\nContent-Length: 6\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 1234567890123456789\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length: 67108865\r\n\r\n", 413),
                // header syntax
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-A: one\r\n  folded\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-A: one\r\n\tfolded\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n Host: x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost : x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost\t: x\r\n\r\n", 400),
                Arguments.of("POST / HTTP/1.1\r\n" + H + "Content-Length : 5\r\n\r\nhello", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + ": x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X(A): x\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-A: a\u0000b\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-A: a\rb\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-A: a\u007fb\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n" + H + "X-A: a\r\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n", 400),
                // request line
                Arguments.of("GET  / HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET /  HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET / HTTP/1.1 \r\n" + H + "\r\n", 400),
                Arguments.of(" GET / HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET\t/ HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET /\r\n" + H + "\r\n", 400),
                Arguments.of("GET / \r\n" + H + "\r\n", 400),
                Arguments.of("GET\r\n" + H + "\r\n", 400),
                Arguments.of("GET / http/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET / HTTP/1.x\r\n" + H + "\r\n", 400),
                Arguments.of("GET / HTTP/11\r\n" + H + "\r\n", 400),
                Arguments.of("GET / HTTP/2.0\r\n" + H + "\r\n", 505),
                Arguments.of("GET / HTTP/0.9\r\n" + H + "\r\n", 505),
                Arguments.of("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", 505),
                Arguments.of("G(T / HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET foo HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("CONNECT example.com:443 HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET /caf\u00e9 HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET /a\u0001b HTTP/1.1\r\n" + H + "\r\n", 400),
                Arguments.of("GET / HTTP/1.1\r\r\n" + H + "\r\n", 400),
                Arguments.of("\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u00fc\u0003\u0003", 400),
                Arguments.of("\r\n".repeat(9) + "GET / HTTP/1.1\r\n" + H + "\r\n", 400));
    }

    @ParameterizedTest
    @MethodSource("refusedRequests")
    void refusesAMalformedRequest(String raw, int status) {
        assertThat(parseAll(raw)).containsExactly("error " + status);
    }

    @ParameterizedTest
    @MethodSource("refusedRequests")
    void refusesAMalformedRequestSplitAtEveryByte(String raw, int status) {
        byte[] bytes = bytes(raw);
        for (int split = 0; split <= bytes.length; split++) {
            ParserDriver driver = new ParserDriver().feed(bytes, 0, split).feed(bytes, split, bytes.length);
            assertThat(driver.events).as("split at %d", split).containsExactly("error " + status);
        }
    }

    @Test
    void answersEveryRequestOfAPipelinedBatchInOrder() {
        String batch = "GET / HTTP/1.1\r\n" + H + "\r\n"
                + "POST /a/b HTTP/1.1\r\n" + H + "Content-Length: 11\r\n\r\nhello world"
                + "HEAD /nope HTTP/1.1\r\n" + H + "\r\n"
                + "GET / HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n";
        List<String> expected = List.of(
                "GET root 1.1 keep-alive cl=-1",
                "POST ab 1.1 keep-alive cl=11",
                "HEAD 404 1.1 keep-alive cl=-1",
                "GET root 1.1 close cl=-1");
        assertThat(parseAll(batch)).containsExactlyElementsOf(expected);
        byte[] bytes = bytes(batch);
        for (int split = 0; split <= bytes.length; split++) {
            ParserDriver driver = new ParserDriver().feed(bytes, 0, split).feed(bytes, split, bytes.length);
            assertThat(driver.events).as("split at %d", split).containsExactlyElementsOf(expected);
        }
    }

    @Test
    void parsesAPipelinedBatchCutIntoRandomReads() {
        StringBuilder batch = new StringBuilder();
        List<String> expected = new ArrayList<>();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            int bodyLength = random.nextInt(3) == 0 ? random.nextInt(3000) : 0;
            if (bodyLength > 0) {
                batch.append("POST /a/b HTTP/1.1\r\n").append(H).append("Content-Length: ").append(bodyLength)
                        .append("\r\n\r\n").append("x".repeat(bodyLength));
                expected.add("POST ab 1.1 keep-alive cl=" + bodyLength);
            } else {
                batch.append("GET /?i=").append(i).append(" HTTP/1.1\r\n").append(H).append("\r\n");
                expected.add("GET root 1.1 keep-alive cl=-1");
            }
        }
        byte[] bytes = bytes(batch.toString());
        for (int round = 0; round < 20; round++) {
            ParserDriver driver = new ParserDriver();
            int at = 0;
            while (at < bytes.length) {
                int n = Math.min(bytes.length - at, 1 + random.nextInt(random.nextBoolean() ? 16 : 4096));
                driver.feed(bytes, at, at + n);
                at += n;
            }
            assertThat(driver.events).containsExactlyElementsOf(expected);
            assertThat(driver.pendingBytes()).isZero();
        }
    }

    @Test
    void discardsABodySplitAcrossReadsAndParsesTheNextRequest() {
        ParserDriver driver = new ParserDriver()
                .feed("POST / HTTP/1.1\r\n" + H + "Content-Length: 10\r\n\r\nhel")
                .feed("lo")
                .feed("wor");
        assertThat(driver.events).isEmpty();
        assertThat(driver.pendingBytes()).as("body bytes are consumed as they arrive").isZero();
        driver.feed("ldGET /a/b HTTP/1.1\r\n" + H + "\r\n");
        assertThat(driver.events).containsExactly("POST root 1.1 keep-alive cl=10", "GET ab 1.1 keep-alive cl=-1");
    }

    @Test
    void keepsAPartialHeadUnconsumedAndReportsIt() {
        ParserDriver driver = new ParserDriver();
        assertThat(driver.parser.inHead()).isFalse();
        driver.feed("GET / HT");
        assertThat(driver.events).isEmpty();
        assertThat(driver.pendingBytes()).isEqualTo(8);
        assertThat(driver.parser.inHead()).isTrue();
        driver.feed("TP/1.1\r\n" + H + "\r\n");
        assertThat(driver.events).containsExactly("GET root 1.1 keep-alive cl=-1");
        driver.feed("");
        assertThat(driver.parser.inHead()).isFalse();
    }

    @Test
    void signalsExpectContinueBeforeTheBody() {
        ParserDriver driver = new ParserDriver()
                .feed("POST / HTTP/1.1\r\n" + H + "Expect: 100-Continue\r\nContent-Length: 3\r\n\r\n");
        assertThat(driver.events).containsExactly("continue");
        driver.feed("abc");
        assertThat(driver.events).containsExactly("continue", "POST root 1.1 keep-alive cl=3");
    }

    @Test
    void acceptsARequestLineAndHeaderBlockExactlyAtTheirLimits() {
        HttpConfig config = HttpConfig.defaults().withHeadLimits(64, 128, 4);
        String line = "GET /?" + "q".repeat(64 - "GET /? HTTP/1.1".length()) + " HTTP/1.1";
        assertThat(line).hasSize(64);
        String field = "X-A: " + "v".repeat(128 - H.length() - 2 - "X-A: ".length() - 2) + "\r\n";
        String head = line + "\r\n" + H + field + "\r\n";
        assertThat(head.length() - line.length() - 2).isEqualTo(128);
        ParserDriver driver = new ParserDriver(config);
        byte[] bytes = bytes(head);
        for (int i = 0; i < bytes.length; i++) {
            driver.feed(bytes, i, i + 1);
        }
        assertThat(driver.events).containsExactly("GET root 1.1 keep-alive cl=-1");
    }

    @Test
    void refusesATooLongRequestTargetWith414WhetherOrNotTheLineIsComplete() {
        HttpConfig config = HttpConfig.defaults().withHeadLimits(64, 1024, 10);
        String longLine = "GET /" + "a".repeat(100) + " HTTP/1.1\r\n" + H + "\r\n";
        assertThat(new ParserDriver(config).feed(longLine).events).containsExactly("error 414");
        assertThat(new ParserDriver(config).feed("GET /" + "a".repeat(100)).events).containsExactly("error 414");
        assertThat(new ParserDriver(config).feed("GET /" + "a".repeat(58)).events).isEmpty();
    }

    @Test
    void refusesATooLongLineWithoutAMethodWith400() {
        HttpConfig config = HttpConfig.defaults().withHeadLimits(64, 1024, 10);
        assertThat(new ParserDriver(config).feed("G".repeat(100)).events).containsExactly("error 400");
        assertThat(new ParserDriver(config).feed("G".repeat(100) + " / HTTP/1.1\r\n\r\n").events)
                .containsExactly("error 400");
    }

    @Test
    void refusesATooLargeHeaderBlockWith431WhetherOrNotItIsComplete() {
        HttpConfig config = HttpConfig.defaults().withHeadLimits(64, 128, 100);
        String big = "X-A: " + "v".repeat(200) + "\r\n";
        assertThat(new ParserDriver(config).feed("GET / HTTP/1.1\r\n" + H + big + "\r\n").events)
                .containsExactly("error 431");
        assertThat(new ParserDriver(config).feed("GET / HTTP/1.1\r\n" + H + big).events)
                .containsExactly("error 431");
        assertThat(new ParserDriver(config).feed("GET / HTTP/1.1\r\n" + H + "X-A: " + "v".repeat(200)).events)
                .containsExactly("error 431");
        StringBuilder many = new StringBuilder("GET / HTTP/1.1\r\n");
        for (int i = 0; i < 10; i++) {
            many.append("X: ").append(i).append("\r\n");
        }
        assertThat(new ParserDriver(config).feed(many.toString()).events).isEmpty();
        assertThat(new ParserDriver(config).feed(many.append("X-Long: ").append("v".repeat(80)).append("\r\n\r\n")
                .toString()).events).containsExactly("error 431");
    }

    @Test
    void refusesTooManyHeaderFieldsWith431() {
        HttpConfig config = HttpConfig.defaults().withHeadLimits(64, 4096, 5);
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\n").append(H);
        for (int i = 0; i < 4; i++) {
            head.append("X: ").append(i).append("\r\n");
        }
        assertThat(new ParserDriver(config).feed(head + "\r\n").events).containsExactly("GET root 1.1 keep-alive cl=-1");
        assertThat(new ParserDriver(config).feed(head + "X: 5\r\n\r\n").events).containsExactly("error 431");
    }

    @Test
    void staysFailedAfterAnError() {
        ParserDriver driver = new ParserDriver().feed("GET / HTTP/9.9\r\n\r\nGET / HTTP/1.1\r\n" + H + "\r\n");
        assertThat(driver.events).containsExactly("error 505");
        assertThat(driver.parser.keepAlive()).isFalse();
    }

    @Test
    void reportsTheMethodOfARefusedHeadRequestSoItsAnswerHasNoBody() {
        ParserDriver driver = new ParserDriver().feed("HEAD / HTTP/1.1\r\n\r\n");
        assertThat(driver.events).containsExactly("error 400");
        assertThat(driver.parser.isHead()).isTrue();
    }
}

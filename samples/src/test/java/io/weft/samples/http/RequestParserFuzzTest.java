package io.weft.samples.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.List;

/**
 * Coverage-guided fuzzing of {@link RequestParser} with Jazzer. In the normal test run this replays
 * the seeds and past findings under {@code src/test/resources/io/weft/samples/http/RequestParserFuzzTestInputs/};
 * {@code ./mvnw -B -Pfuzz -pl samples -am verify} fuzzes it for its {@code maxDuration}.
 *
 * <p>The input is a few read sizes, then the bytes. Whatever they are, the parser gives only its own
 * events, and the same ones whether the bytes come in one read or in those pieces.
 */
class RequestParserFuzzTest {
    private static final HttpConfig SMALL = HttpConfig.defaults().withHeadLimits(64, 256, 8);

    @FuzzTest(maxDuration = "2m")
    void parsesAnyBytesSplitAnyWay(FuzzedDataProvider data) {
        List<Integer> cuts = new ArrayList<>();
        for (int n = data.consumeInt(0, 8); n > 0; n--) {
            cuts.add(data.consumeInt(0, 4096));
        }
        byte[] input = data.consumeRemainingAsBytes();
        ParserDriver whole = new ParserDriver(SMALL).feed(input);
        RequestParserPropertiesTest.assertOnlyParserEvents(whole.events);
        ParserDriver split = RequestParserPropertiesTest.feedSplit(new ParserDriver(SMALL), input, cuts);
        assertThat(split.events).isEqualTo(whole.events);
    }
}

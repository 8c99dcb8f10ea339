package io.weft.samples.kv;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

/**
 * Coverage-guided fuzzing of {@link RespReader} with Jazzer. In the normal test run this replays
 * the seeds and past findings under {@code src/test/resources/io/weft/samples/kv/RespReaderFuzzTestInputs/};
 * {@code ./mvnw -B -Pfuzz -pl samples -am verify} fuzzes it for its {@code maxDuration}.
 *
 * <p>The input is a few read sizes, then the bytes. Whatever they are, the reader returns requests or
 * fails with its own protocol error or an end of stream, never anything else.
 */
class RespReaderFuzzTest {
    private static final RespLimits SMALL = new RespLimits(64, 8, 32);

    @FuzzTest(maxDuration = "2m")
    void readsAnyBytesSplitAnyWay(FuzzedDataProvider data) {
        int[] chunks = new int[data.consumeInt(0, 8)];
        for (int i = 0; i < chunks.length; i++) {
            chunks[i] = data.consumeInt(1, 64);
        }
        RespReaderPropertiesTest.assertOnlyOwnOutcomes(data.consumeRemainingAsBytes(), chunks);
    }
}

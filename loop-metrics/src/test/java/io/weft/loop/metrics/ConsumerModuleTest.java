package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.weft.loop.core.EventLoop;
import io.weft.loop.testkit.ConsumerModule;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A module that requires only io.weft.loop.metrics can use the core and Micrometer types its API shows. */
class ConsumerModuleTest {

    @Test
    void requiringMetricsAloneReachesTheCoreAndMicrometerTypes(@TempDir Path work) throws Exception {
        String errors = ConsumerModule.compile(work, "io.weft.loop.metrics",
                "io.micrometer.core.instrument.binder.MeterBinder binder(io.weft.loop.core.EventLoop loop) {"
                        + " return io.weft.loop.metrics.LoopMetrics.of(loop); }",
                EventLoop.class, LoopMetrics.class, MeterBinder.class, KeyValue.class);

        assertThat(errors).isEmpty();
    }
}

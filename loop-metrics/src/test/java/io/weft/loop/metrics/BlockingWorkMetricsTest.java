package io.weft.loop.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.weft.loop.core.EventLoop;
import io.weft.loop.core.RunMode;
import io.weft.loop.core.exec.BlockingWork;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The blocking-work meters read what {@code BlockingWork} counts, under the names of {@link BlockingWorkMeters}. */
class BlockingWorkMetricsTest {

    @Test
    void theMetersReadQueuedRunningCountsAndTimes() throws Exception {
        AtomicLong nanos = new AtomicLong(); // a manual clock
        try (EventLoop loop = EventLoop.builder().name("metered").clock(nanos::get).build()) {
            ArrayDeque<Runnable> handedOver = new ArrayDeque<>();
            BlockingWork work = BlockingWork.builder(loop).maxRunning(1).maxQueued(1).executor(handedOver::add).build();
            SimpleMeterRegistry registry = new SimpleMeterRegistry();
            BlockingWorkMetrics.of(work, Tags.of("app", "test")).bindTo(registry);

            work.submitBlocking(() -> {
                nanos.addAndGet(Duration.ofSeconds(2).toNanos());
                return "ran 2 s";
            });
            work.submitBlocking(() -> "queued");
            assertThatThrownBy(() -> work.submitBlocking(() -> "refused")).isInstanceOf(RejectedExecutionException.class);
            assertThat(gauge(registry, BlockingWorkMeters.RUNNING)).isEqualTo(1);
            assertThat(gauge(registry, BlockingWorkMeters.QUEUED)).isEqualTo(1);
            assertThat(counter(registry, BlockingWorkMeters.REJECTED)).isEqualTo(1);

            while (!handedOver.isEmpty()) {
                Thread.ofPlatform().start(handedOver.pollFirst()).join();
            }
            loop.run(RunMode.NOWAIT);
            assertThat(counter(registry, BlockingWorkMeters.SUBMITTED)).isEqualTo(2);
            assertThat(counter(registry, BlockingWorkMeters.COMPLETED)).isEqualTo(2);
            assertThat(counter(registry, BlockingWorkMeters.RAN)).isEqualTo(2.0);
            assertThat(counter(registry, BlockingWorkMeters.WAITED)).as("the second waited for the first").isEqualTo(2.0);
            assertThat(gauge(registry, BlockingWorkMeters.RUNNING)).isZero();
            assertThat(registry.get(BlockingWorkMeters.QUEUED.getName()).tag("loop", "metered").tag("app", "test").gauge())
                    .isNotNull();
        }
    }

    private static double gauge(SimpleMeterRegistry registry, BlockingWorkMeters meter) {
        return registry.get(meter.getName()).gauge().value();
    }

    private static double counter(SimpleMeterRegistry registry, BlockingWorkMeters meter) {
        return registry.get(meter.getName()).functionCounter().count();
    }
}

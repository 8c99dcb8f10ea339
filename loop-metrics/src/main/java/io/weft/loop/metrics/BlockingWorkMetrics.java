package io.weft.loop.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.weft.loop.core.exec.BlockingStats;
import io.weft.loop.core.exec.BlockingWork;
import java.util.Objects;
import java.util.function.ToDoubleFunction;

/**
 * Binds the {@link BlockingStats} of a {@link BlockingWork} to a {@link MeterRegistry}: gauges of
 * the work queued and running, counters of work submitted, completed and rejected, and of the time
 * work waited and ran (see {@link BlockingWorkMeters}). Meters read the stats when scraped; nothing
 * is recorded per piece of work.
 *
 * {@snippet :
 * BlockingWorkMetrics.of(BlockingWork.of(loop), Tags.of("app", "orders")).bindTo(registry);
 * }
 *
 * <p>Thread-safe; {@link #bindTo} may be called for several registries.
 */
public final class BlockingWorkMetrics implements MeterBinder {
    private final BlockingWork work;
    private final Tags tags;

    private BlockingWorkMetrics(BlockingWork work, Tags tags) {
        this.work = work;
        this.tags = tags.and(LoopMeters.LoopTag.LOOP.asString(), work.loop().name());
    }

    /**
     * {@return a binder for {@code work}, with the {@code loop} tag only}
     *
     * @param work the blocking work to measure
     */
    public static BlockingWorkMetrics of(BlockingWork work) {
        return of(work, Tags.empty());
    }

    /**
     * {@return a binder for {@code work} that adds {@code tags} to every meter}
     *
     * @param work the blocking work to measure
     * @param tags tags every meter gets besides {@code loop}
     */
    public static BlockingWorkMetrics of(BlockingWork work, Tags tags) {
        return new BlockingWorkMetrics(Objects.requireNonNull(work, "work"), Objects.requireNonNull(tags, "tags"));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        BlockingStats stats = work.stats();
        gauge(registry, BlockingWorkMeters.QUEUED, stats, BlockingStats::queued);
        gauge(registry, BlockingWorkMeters.RUNNING, stats, BlockingStats::running);
        counter(registry, BlockingWorkMeters.SUBMITTED, stats, BlockingStats::submitted);
        counter(registry, BlockingWorkMeters.COMPLETED, stats, BlockingStats::completed);
        counter(registry, BlockingWorkMeters.REJECTED, stats, BlockingStats::rejected);
        counter(registry, BlockingWorkMeters.WAITED, stats, s -> s.waitedNanos() / 1e9);
        counter(registry, BlockingWorkMeters.RAN, stats, s -> s.ranNanos() / 1e9);
    }

    private void gauge(MeterRegistry registry, BlockingWorkMeters meter, BlockingStats stats, ToDoubleFunction<BlockingStats> read) {
        Gauge.builder(meter.getName(), stats, read).description(meter.getDescription()).baseUnit(meter.getBaseUnit())
                .tags(tags).register(registry);
    }

    private void counter(MeterRegistry registry, BlockingWorkMeters meter, BlockingStats stats, ToDoubleFunction<BlockingStats> read) {
        FunctionCounter.builder(meter.getName(), stats, read).description(meter.getDescription()).baseUnit(meter.getBaseUnit())
                .tags(tags).register(registry);
    }
}

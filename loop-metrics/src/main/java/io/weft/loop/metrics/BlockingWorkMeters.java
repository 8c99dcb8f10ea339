package io.weft.loop.metrics;

import io.micrometer.common.docs.KeyName;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.docs.MeterDocumentation;
import io.weft.loop.metrics.LoopMeters.LoopTag;

/**
 * Every meter {@link BlockingWorkMetrics} registers for a {@link io.weft.loop.core.exec.BlockingWork}:
 * the one place their names, types, units and descriptions are spelled. Each carries the tag
 * {@link LoopTag#LOOP}, the name of the loop the work reports to.
 */
public enum BlockingWorkMeters implements MeterDocumentation {

    /** Work waiting for a worker. */
    QUEUED("weft.blocking.queued", Meter.Type.GAUGE, null, "Blocking work accepted and waiting for a worker"),

    /** Work running on a worker. */
    RUNNING("weft.blocking.running", Meter.Type.GAUGE, null, "Blocking work running on a worker now"),

    /** Work accepted. */
    SUBMITTED("weft.blocking.submitted", Meter.Type.COUNTER, null, "Blocking work accepted"),

    /** Work finished. */
    COMPLETED("weft.blocking.completed", Meter.Type.COUNTER, null,
            "Blocking work finished, with a value, an exception or cancelled before it started"),

    /** Submissions refused because the queue was full. */
    REJECTED("weft.blocking.rejected", Meter.Type.COUNTER, null, "Blocking work refused because the queue was full"),

    /** Total time finished work waited for a worker. */
    WAITED("weft.blocking.waited", Meter.Type.COUNTER, "seconds", "Total time finished blocking work waited for a worker"),

    /** Total time finished work ran. */
    RAN("weft.blocking.ran", Meter.Type.COUNTER, "seconds", "Total time finished blocking work ran on a worker");

    private final String name;
    private final Meter.Type type;
    private final String baseUnit;
    private final String description;

    BlockingWorkMeters(String name, Meter.Type type, String baseUnit, String description) {
        this.name = name;
        this.type = type;
        this.baseUnit = baseUnit;
        this.description = description;
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public Meter.Type getType() {
        return type;
    }

    @Override
    public String getBaseUnit() {
        return baseUnit;
    }

    @Override
    public KeyName[] getKeyNames() {
        return LoopTag.values();
    }

    /** {@return what the meter measures, as registered} */
    public String getDescription() {
        return description;
    }
}

/**
 * Micrometer meters for Weft loops: lag, utilization, event counts and blocking-callback alarms.
 */
module io.weft.loop.metrics {
    requires transitive io.weft.loop.core;
    requires transitive micrometer.core;
    requires micrometer.commons;
    requires jdk.jfr;

    exports io.weft.loop.metrics;
}

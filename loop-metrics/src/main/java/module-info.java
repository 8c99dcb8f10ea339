/**
 * Micrometer meters for Weft loops: lag, utilization, event counts and blocking-callback alarms.
 */
// Micrometer ships automatic modules only; its types are in this module's API, so they are re-exported anyway.
@SuppressWarnings("requires-transitive-automatic")
module io.weft.loop.metrics {
    requires transitive io.weft.loop.core;
    requires transitive micrometer.core;
    requires transitive micrometer.commons;
    requires jdk.jfr;
    // Optional: only ContextPropagationDecorator uses it, and only an application that has it uses that.
    requires static context.propagation;

    exports io.weft.loop.metrics;
}

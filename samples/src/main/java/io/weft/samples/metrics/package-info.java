/**
 * What the http sample adds for observability: {@code /metrics} in the Prometheus text format from
 * loop-metrics bound to the server's loops, and the {@code /block?ms=N} demo of the blocked-loop
 * alarm. See the samples README.
 */
package io.weft.samples.metrics;

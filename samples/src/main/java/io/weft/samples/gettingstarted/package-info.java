/**
 * The code of docs/GETTING-STARTED.md, compiled and tested by the build: one small service, an
 * upper-casing echo ("shout"), written callback-style ({@link io.weft.samples.gettingstarted.CallbackShout}),
 * blocking-style on virtual threads ({@link io.weft.samples.gettingstarted.BlockingShout}), then
 * measured with a Prometheus scrape ({@link io.weft.samples.gettingstarted.ScrapedShout}).
 */
package io.weft.samples.gettingstarted;

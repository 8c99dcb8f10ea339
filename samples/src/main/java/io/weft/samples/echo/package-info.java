/** The sample TCP echo server, with backpressure. */
package io.weft.samples.echo;

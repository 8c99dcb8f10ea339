/**
 * Process signals on the loop: a {@link io.weft.loop.core.signal.SignalHandle} delivers SIGHUP,
 * SIGINT, SIGTERM, SIGUSR1 or SIGUSR2 to a {@link io.weft.loop.core.signal.SignalHandler} on its
 * loop's thread, keeping the loop alive while it is open and referenced.
 */
package io.weft.loop.core.signal;

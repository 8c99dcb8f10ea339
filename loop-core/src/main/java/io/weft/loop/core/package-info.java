/**
 * The Weft event loop: one thread runs timers, callbacks and I/O watchers in libuv's phase order.
 *
 * <p>Start with {@link io.weft.loop.core.EventLoop}: {@code execute} and {@code schedule} work from
 * any thread; watchers are created and changed on the loop thread.
 */
package io.weft.loop.core;

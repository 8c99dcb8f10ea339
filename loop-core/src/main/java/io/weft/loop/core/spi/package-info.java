/**
 * The poller SPI: what a readiness backend (a {@code java.nio} Selector, Linux epoll) implements so
 * that an {@link io.weft.loop.core.EventLoop} can run on it. A backend ships a {@link
 * io.weft.loop.core.spi.PollerProvider} registered with {@link java.util.ServiceLoader}.
 */
package io.weft.loop.core.spi;

/**
 * The TCP backend SPI: the syscall layer under {@code io.weft.loop.core.net} (listen, accept,
 * connect, read, write, close) that a poller module implements for sockets its poller can watch. A
 * module ships a {@link io.weft.loop.core.net.spi.TcpBackendProvider} registered with {@link
 * java.util.ServiceLoader}, matched to a loop by the loop's poller name.
 *
 * <p>This package depends on {@code io.weft.loop.core.spi} (poll sources) and nothing in {@code
 * net}: {@code net} uses it, never the other way round.
 */
package io.weft.loop.core.net.spi;

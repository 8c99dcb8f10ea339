/**
 * TCP on the loop: {@link io.weft.loop.core.net.TcpServer} accepts, {@link
 * io.weft.loop.core.net.TcpConnection} reads and writes with backpressure, and a {@link
 * io.weft.loop.core.net.ConnectionHandler} receives the events, always on the connection's loop.
 * The same state machine runs over every poller's {@link io.weft.loop.core.net.spi.TcpBackend}.
 */
package io.weft.loop.core.net;

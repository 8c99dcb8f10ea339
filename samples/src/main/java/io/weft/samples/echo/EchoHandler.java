package io.weft.samples.echo;

import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import java.nio.ByteBuffer;

/**
 * Writes back every byte it reads. When the peer reads slower than it writes, the connection's
 * queue rises above its high watermark and reading pauses until the queue drains below the low
 * one, so memory stays bounded by the watermarks. At end of stream the connection closes once
 * everything read has been echoed.
 */
final class EchoHandler implements ConnectionHandler {

    @Override
    public void onRead(TcpConnection connection, ByteBuffer data) {
        connection.write(data); // copies and consumes; flushed when this returns
    }

    @Override
    public void onWritabilityChanged(TcpConnection connection, boolean writable) {
        if (writable) {
            connection.resumeReading();
        } else {
            connection.pauseReading();
        }
    }
}

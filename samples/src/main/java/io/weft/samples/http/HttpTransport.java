package io.weft.samples.http;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.tls.TlsConnection;
import java.nio.ByteBuffer;

/**
 * What {@link HttpConnectionHandler} needs of its connection, the same over plain TCP and TLS: the
 * calls both connections share. Loop thread only, as the connections are.
 */
sealed interface HttpTransport {

    EventLoop loop();

    void write(ByteBuffer data);

    boolean isWritable();

    long queuedBytes();

    void pauseReading();

    void resumeReading();

    boolean isReadingPaused();

    boolean isOpen();

    void shutdownOutput();

    void close();

    void abort();

    /** A plain TCP connection. */
    record Tcp(TcpConnection connection) implements HttpTransport {
        public EventLoop loop() { return connection.loop(); }
        public void write(ByteBuffer data) { connection.write(data); }
        public boolean isWritable() { return connection.isWritable(); }
        public long queuedBytes() { return connection.queuedBytes(); }
        public void pauseReading() { connection.pauseReading(); }
        public void resumeReading() { connection.resumeReading(); }
        public boolean isReadingPaused() { return connection.isReadingPaused(); }
        public boolean isOpen() { return connection.isOpen(); }
        public void shutdownOutput() { connection.shutdownOutput(); }
        public void close() { connection.close(); }
        public void abort() { connection.abort(); }
    }

    /** A TLS connection (HTTPS). */
    record Tls(TlsConnection connection) implements HttpTransport {
        public EventLoop loop() { return connection.loop(); }
        public void write(ByteBuffer data) { connection.write(data); }
        public boolean isWritable() { return connection.isWritable(); }
        public long queuedBytes() { return connection.queuedBytes(); }
        public void pauseReading() { connection.pauseReading(); }
        public void resumeReading() { connection.resumeReading(); }
        public boolean isReadingPaused() { return connection.isReadingPaused(); }
        public boolean isOpen() { return connection.isOpen(); }
        public void shutdownOutput() { connection.shutdownOutput(); }
        public void close() { connection.close(); }
        public void abort() { connection.abort(); }
    }
}

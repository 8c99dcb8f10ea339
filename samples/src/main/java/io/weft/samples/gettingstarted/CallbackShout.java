package io.weft.samples.gettingstarted;

import io.weft.loop.core.LoopGroup;
import io.weft.loop.core.net.ConnectionHandler;
import io.weft.loop.core.net.TcpConnection;
import io.weft.loop.core.net.TcpOptions;
import io.weft.loop.core.net.TcpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Getting started, step 1: a callback-style TCP server that writes back what it reads, upper-cased.
 * Every callback runs on the loop thread of its connection, so it must never block.
 */
public final class CallbackShout implements ConnectionHandler {

    /** Listens on {@code address} with one handler per connection, spread over {@code group}'s loops. */
    public static TcpServer listen(LoopGroup group, InetSocketAddress address) throws IOException {
        return TcpServer.listen(group, address, TcpOptions.defaults(), CallbackShout::new);
    }

    @Override
    public void onRead(TcpConnection connection, ByteBuffer data) {
        for (int i = data.position(); i < data.limit(); i++) {
            data.put(i, Shout.upperCase(data.get(i)));
        }
        connection.write(data); // copies and consumes; sent when this callback returns
    }

    @Override
    public void onWritabilityChanged(TcpConnection connection, boolean writable) {
        // A peer that reads slower than it writes: stop reading until its queue drains.
        if (writable) {
            connection.resumeReading();
        } else {
            connection.pauseReading();
        }
    }

    /** Runs the server on port 7000 until the JVM is stopped (Ctrl-C). */
    public static void main(String[] args) throws IOException {
        LoopGroup group = LoopGroup.create(); // one loop per processor; its threads keep the JVM alive
        TcpServer server = listen(group, new InetSocketAddress("127.0.0.1", 7000));
        System.out.println("shouting on " + server.localAddress());
    }
}

package io.weft.loop.core.nio;

import io.weft.loop.core.net.spi.SocketHandle;
import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.net.SocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;

/** A connected {@link SocketChannel}; failures pass through {@link NioTcpBackend#classify}. */
final class NioSocket implements SocketHandle {
    private final SocketChannel channel;
    private final PollSource source;

    NioSocket(SocketChannel channel) {
        this.channel = channel;
        this.source = PollSource.of(channel);
    }

    @Override
    public PollSource source() {
        return source;
    }

    @Override
    public boolean finishConnect() throws IOException {
        return channel.finishConnect();
    }

    @Override
    public int read(ByteBuffer dst) throws IOException {
        try {
            return channel.read(dst);
        } catch (IOException e) {
            throw NioTcpBackend.classify(e);
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        try {
            return length == 1 ? channel.write(srcs[offset]) : channel.write(srcs, offset, length);
        } catch (IOException e) {
            throw NioTcpBackend.classify(e);
        }
    }

    @Override
    public void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            throw NioTcpBackend.classify(e);
        }
    }

    @Override
    public SocketAddress localAddress() throws IOException {
        return channel.getLocalAddress();
    }

    @Override
    public SocketAddress remoteAddress() throws IOException {
        return channel.getRemoteAddress();
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public void abort() throws IOException {
        if (!channel.isOpen()) {
            return;
        }
        try {
            channel.setOption(StandardSocketOptions.SO_LINGER, 0);
        } finally {
            channel.close();
        }
    }
}

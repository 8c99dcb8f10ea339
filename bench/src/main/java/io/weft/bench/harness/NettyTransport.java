package io.weft.bench.harness;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import java.util.function.Supplier;

/** The three Netty 4.2 transports the harness runs Weft's pollers against, named as in the kinds. */
enum NettyTransport {
    /** {@code java.nio} selector transport. */
    NIO(NioIoHandler::newFactory, NioServerSocketChannel.class),
    /** Native epoll transport (JNI). */
    EPOLL(EpollIoHandler::newFactory, EpollServerSocketChannel.class),
    /** Native io_uring transport (JNI), completion-based accept, receive and send. */
    IOURING(IoUringIoHandler::newFactory, IoUringServerSocketChannel.class);

    private final Supplier<IoHandlerFactory> handlers;
    private final Class<? extends ServerChannel> serverChannel;

    NettyTransport(Supplier<IoHandlerFactory> handlers, Class<? extends ServerChannel> serverChannel) {
        this.handlers = handlers;
        this.serverChannel = serverChannel;
    }

    IoHandlerFactory ioHandlers() {
        return handlers.get();
    }

    Class<? extends ServerChannel> serverChannel() {
        return serverChannel;
    }
}

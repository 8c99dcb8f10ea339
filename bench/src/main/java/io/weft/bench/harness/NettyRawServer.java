package io.weft.bench.harness;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ByteProcessor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code netty-nio} / {@code netty-epoll} / {@code netty-iouring}: a bare Netty 4.2 server on one event-loop thread with the
 * same counting handler as {@link WeftServer}; {@code netty-tls-*} put Netty's {@code SslHandler}
 * in front of it, and {@code netty-http-*} reuse {@link #start} with an HTTP pipeline.
 */
final class NettyRawServer {
    /**
     * One unpooled direct block of responses; each read's answer is a slice of it. Unreleasable, so
     * slices cost no reference-count updates; not {@code asReadOnly()}, because a read-only wrapper
     * hides the memory address and the epoll transport would copy it before writing.
     */
    private static final ByteBuf BLOCK = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(Responses.HELLO.length * Responses.BATCH)
                    .writeBytes(Responses.repeated(Responses.BATCH)));

    private NettyRawServer() {
    }

    static Running start(NettyTransport transport, int port) throws InterruptedException {
        return start(transport, port, () -> new Handler());
    }

    /** {@code netty-tls-*}: the same handler behind an {@code SslHandler} of {@code tls}'s context. */
    static Running startTls(NettyTransport transport, int port, BenchTls tls) throws InterruptedException, IOException {
        SslContext context = tls.netty();
        return start(transport, port, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(context.newHandler(channel.alloc()), new Handler());
            }
        });
    }

    static Running start(NettyTransport transport, int port, Supplier<ChannelInboundHandlerAdapter> handlers)
            throws InterruptedException {
        return start(transport, port, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel channel) {
                channel.pipeline().addLast(handlers.get());
            }
        });
    }

    static Running start(NettyTransport transport, int port, ChannelInitializer<Channel> initializer)
            throws InterruptedException {
        // One group for accept and I/O: one event-loop thread in all, like the one Weft loop.
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlers());
        Channel server = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true) // as Weft's TcpOptions.defaults()
                .childHandler(initializer)
                .bind(new InetSocketAddress("127.0.0.1", port)).sync().channel();
        return new Running((InetSocketAddress) server.localAddress(), () -> {
            server.close().sync();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        });
    }

    /** Counts requests on the ByteBuf and writes their responses; flushes once per read batch. */
    static final class Handler extends ChannelInboundHandlerAdapter implements ByteProcessor {
        private final RequestCounter counter = new RequestCounter();
        private int requests;

        @Override
        public boolean process(byte value) {
            if (counter.feed(value)) {
                requests++;
            }
            return true;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf in = (ByteBuf) msg;
            try {
                requests = 0;
                in.forEachByte(this);
            } finally {
                in.release();
            }
            int left = requests;
            while (left > 0) {
                int batch = Math.min(left, Responses.BATCH);
                ctx.write(BLOCK.retainedSlice(0, batch * Responses.HELLO.length), ctx.voidPromise());
                left -= batch;
            }
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            // Same back-pressure as the Weft handler: stop reading while the outbound buffer is full.
            ctx.channel().config().setAutoRead(ctx.channel().isWritable());
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }
}

package io.weft.loop.testkit;

import io.weft.loop.core.spi.PollSource;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Pipe;

/** A {@link TestPipe} on {@link Pipe}, for the NIO poller. */
public final class NioTestPipe implements TestPipe {
    private final Pipe pipe;

    /**
     * Opens a non-blocking pipe.
     *
     * @throws IOException if the OS refuses a pipe (out of file descriptors)
     */
    public NioTestPipe() throws IOException {
        pipe = Pipe.open();
        pipe.source().configureBlocking(false);
        pipe.sink().configureBlocking(false);
    }

    @Override
    public PollSource readEnd() {
        return PollSource.of(pipe.source());
    }

    @Override
    public PollSource writeEnd() {
        return PollSource.of(pipe.sink());
    }

    @Override
    public void writeByte() throws IOException {
        pipe.sink().write(ByteBuffer.wrap(new byte[] {1}));
    }

    @Override
    public void drain() throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(4096);
        while (pipe.source().read(buffer.clear()) > 0) {
            // keep reading until the pipe is empty
        }
    }

    @Override
    public void close() throws IOException {
        pipe.source().close();
        pipe.sink().close();
    }
}

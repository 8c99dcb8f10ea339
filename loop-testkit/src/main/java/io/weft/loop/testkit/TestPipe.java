package io.weft.loop.testkit;

import io.weft.loop.core.spi.PollSource;
import java.io.IOException;

/**
 * A pipe whose read end a poller can watch, made by each backend's test suite in its own way
 * (a {@code java.nio} Pipe for NIO, a native pipe for epoll).
 */
public interface TestPipe extends AutoCloseable {

    /** {@return the read end, as the backend's poller watches it} */
    PollSource readEnd();

    /** {@return the write end, when the backend can watch it too (for writability tests)} */
    PollSource writeEnd();

    /**
     * Writes one byte, making the read end readable.
     *
     * @throws IOException if the write fails
     */
    void writeByte() throws IOException;

    /**
     * Reads everything available, making the read end not readable.
     *
     * @throws IOException if the read fails
     */
    void drain() throws IOException;

    /** Closes both ends. */
    @Override
    void close() throws IOException;
}

package io.weft.loop.core.net;

/**
 * Told when one write (or a half-close) of a {@link TcpConnection} is done: its bytes reached the
 * kernel, or they never will. Called on the connection's loop thread, once, in submission order;
 * every success comes before any failure. It must not throw: what it throws aborts the connection
 * and goes on to the loop's exception handler.
 */
@FunctionalInterface
public interface WriteCompletion {

    /**
     * The write is done.
     *
     * @param failure null when all its bytes were handed to the kernel (or, for {@link
     *     TcpConnection#shutdownOutput(WriteCompletion)}, when FIN was sent after them); otherwise why
     *     they were dropped (the connection failed, was aborted or closed before they went out)
     */
    void completed(Throwable failure);
}

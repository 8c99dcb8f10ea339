package io.weft.loop.core.net.spi;

import java.io.IOException;
import java.io.Serial;

/**
 * The peer reset the connection (ECONNRESET) or it is gone (EPIPE). An ordinary outcome for a
 * server: the connection closes quietly and is counted, never logged as an error.
 */
public final class PeerResetException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with what the OS said.
     *
     * @param message the failed call and the OS's error
     */
    public PeerResetException(String message) {
        super(message);
    }
}

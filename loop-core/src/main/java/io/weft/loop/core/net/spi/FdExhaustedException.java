package io.weft.loop.core.net.spi;

import java.io.IOException;
import java.io.Serial;

/**
 * The process (EMFILE) or the system (ENFILE) is out of file descriptors. A server that gets it
 * while accepting sheds the waiting connections and backs off, so the loop does not spin.
 */
public final class FdExhaustedException extends IOException {
    @Serial
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception with what the OS said.
     *
     * @param message the failed call and the OS's error
     */
    public FdExhaustedException(String message) {
        super(message);
    }
}

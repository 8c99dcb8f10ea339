package io.weft.loop.core.net.tls;

import java.io.IOException;

/**
 * The cause a {@link TlsHandler#onClose} gets when TLS itself failed; {@link #failure()} says why
 * (the same cause {@link TlsStats} counted it under). The JDK's exception, if any, is the cause.
 */
public final class TlsFailureException extends IOException {
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    private final TlsFailure failure;

    /**
     * A failure of kind {@code failure}, explained by {@code message}, caused by {@code cause} (may be null).
     *
     * @param failure the kind of failure
     * @param message what happened, for people
     * @param cause the engine's or socket's exception, or null
     */
    public TlsFailureException(TlsFailure failure, String message, Throwable cause) {
        super(failure + ": " + message, cause);
        this.failure = failure;
    }

    /** {@return what kind of failure this is} */
    public TlsFailure failure() {
        return failure;
    }
}

package io.weft.samples.kv;

import java.io.IOException;

/**
 * The client broke RESP2 or a configured limit. The server answers {@code -ERR Protocol error: }
 * followed by the message, then closes the connection: after a bad frame the stream cannot be
 * resynchronised.
 */
public final class RespProtocolException extends IOException {
    private static final long serialVersionUID = 1L;

    RespProtocolException(String message) {
        super(message);
    }
}

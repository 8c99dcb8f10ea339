package io.weft.loop.core.net.tls;

/** Why a TLS connection failed, as {@link TlsStats} counts it and {@link TlsFailureException} reports it. */
public enum TlsFailure {
    /** The peer does not speak TLS: plaintext (an HTTP request, say) or garbage instead of a record. */
    NOT_TLS,
    /** A record was malformed, oversized, or failed its integrity check. */
    BAD_RECORD,
    /** A certificate was untrusted, expired or for another name, or the peer rejected ours. */
    CERTIFICATE,
    /** The handshake did not finish within {@link TlsConfig#handshakeTimeout()}. */
    HANDSHAKE_TIMEOUT,
    /** The peer closed or reset the connection before the handshake finished. */
    HANDSHAKE_ABORTED,
    /** The peer tried to renegotiate a TLS 1.2 session; renegotiation is refused. */
    RENEGOTIATION,
    /** The peer closed TCP without sending close_notify: its data may have been cut short. */
    TRUNCATION,
    /** Any other protocol failure: no common version, cipher suite or application protocol, a bad message. */
    PROTOCOL
}

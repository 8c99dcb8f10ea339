/**
 * TLS on the loop: {@link io.weft.loop.core.net.tls.TlsServer} and {@link
 * io.weft.loop.core.net.tls.TlsConnection} run the JDK's {@link javax.net.ssl.SSLEngine} over a
 * {@link io.weft.loop.core.net.TcpConnection}; a {@link io.weft.loop.core.net.tls.TlsHandler}
 * sees plaintext. Configured with {@link io.weft.loop.core.net.tls.TlsConfig}.
 */
package io.weft.loop.core.net.tls;

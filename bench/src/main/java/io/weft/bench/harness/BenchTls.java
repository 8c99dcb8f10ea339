package io.weft.bench.harness;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The TLS settings every {@code *-tls-*} kind shares: one certificate chain and PKCS#8 key from PEM
 * files, TLS 1.3 only, the JDK's provider and default cipher suites, no ALPN, no client
 * certificate. Weft and Netty get the same files and the same protocol, so they do the same work.
 */
record BenchTls(Path certificateChain, Path privateKey) {
    static final String PROTOCOL = "TLSv1.3";

    /** Weft's server config. */
    TlsConfig weft() throws IOException {
        return TlsConfig.builder().certificates(new CertificateStore().loadPem(certificateChain, privateKey))
                .protocols(PROTOCOL).build();
    }

    /** Netty's server context on the JDK's {@code SSLEngine} (not OpenSSL), as the comparison asks. */
    SslContext netty() throws IOException {
        return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                .sslProvider(SslProvider.JDK).protocols(PROTOCOL).build();
    }
}

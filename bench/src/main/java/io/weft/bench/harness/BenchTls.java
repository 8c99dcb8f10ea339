package io.weft.bench.harness;

import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.net.tls.TlsConfig;
import java.io.IOException;
import java.nio.file.Path;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * The TLS settings every {@code *-tls-*} kind shares: one certificate chain and PKCS#8 key from PEM
 * files, TLS 1.3 only, the JDK's provider, no ALPN, no client certificate, and the same cipher
 * suites in the same order: the JDK's default TLS 1.3 suites (so both servers pick {@code
 * TLS_AES_256_GCM_SHA384} for a client that offers it first or in any order). Netty's builder has
 * a list of its own otherwise (AES-128-GCM first): without this, the two servers would negotiate
 * different ciphers and hashes with the same client, and the comparison would not be of the same work.
 */
record BenchTls(Path certificateChain, Path privateKey) {
    static final String PROTOCOL = "TLSv1.3";

    /** The JDK's default cipher suites of TLS 1.3, in the JDK's order of preference. */
    static List<String> suites() {
        try {
            return Arrays.stream(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites())
                    .filter(suite -> suite.startsWith("TLS_AES_") || suite.startsWith("TLS_CHACHA20_")).toList();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no default SSLContext", e);
        }
    }

    /** Weft's server config. */
    TlsConfig weft() throws IOException {
        return TlsConfig.builder().certificates(new CertificateStore().loadPem(certificateChain, privateKey))
                .protocols(PROTOCOL).cipherSuites(suites().toArray(String[]::new)).build();
    }

    /** Netty's server context on the JDK's {@code SSLEngine} (not OpenSSL), as the comparison asks. */
    SslContext netty() throws IOException {
        return SslContextBuilder.forServer(certificateChain.toFile(), privateKey.toFile())
                .sslProvider(SslProvider.JDK).protocols(PROTOCOL)
                .ciphers(suites(), IdentityCipherSuiteFilter.INSTANCE).build();
    }
}

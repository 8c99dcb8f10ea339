package io.weft.loop.core.net.tls;

import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;

/**
 * How TLS connections are set up: the {@link SSLContext} (the user's, or one built from a {@link
 * CertificateStore} and trusted CA certificates), protocol versions (TLS 1.3 and 1.2 by default),
 * cipher suites (the JDK's by default), ALPN, client authentication, client hostname verification
 * (on by default), the handshake timeout (10 s by default) and the executor that runs the engine's
 * delegated tasks. Immutable and thread-safe; one config serves any number of connections and
 * loops. Build it with {@link #builder()}.
 *
 * <p>Session resumption is the JDK's: client engines are created for the peer's host and port, so
 * the context's session cache resumes sessions with the same server.
 */
public final class TlsConfig {
    /** Whether a server asks clients for a certificate (mutual TLS). */
    public enum ClientAuth {
        /** It does not ask. */
        NONE,
        /** It asks; a client without one is still accepted. */
        OPTIONAL,
        /** It asks and refuses a client without a trusted certificate. */
        REQUIRED
    }

    /** The default protocol versions: nothing older than TLS 1.2. */
    public static final List<String> DEFAULT_PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
    /**
     * The default executor of the engine's delegated tasks: a virtual thread per task, so tasks
     * never queue behind the application's work (as they could in the common fork-join pool).
     */
    private static final ExecutorService VIRTUAL_THREADS = Executors.newVirtualThreadPerTaskExecutor();
    /** The default handshake timeout. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);

    private final SSLContext context;
    private final boolean userContext;
    private final CertificateStore certificates;
    private final List<String> protocols;
    private final List<String> cipherSuites;
    private final List<String> applicationProtocols;
    private final ClientAuth clientAuth;
    private final boolean hostnameVerification;
    private final Duration handshakeTimeout;
    private final Executor delegatedTaskExecutor;

    private TlsConfig(Builder b, SSLContext context) {
        this.context = context;
        this.userContext = b.context != null;
        this.certificates = b.certificates;
        this.protocols = b.protocols;
        this.cipherSuites = b.cipherSuites;
        this.applicationProtocols = b.applicationProtocols;
        this.clientAuth = b.clientAuth;
        this.hostnameVerification = b.hostnameVerification;
        this.handshakeTimeout = b.handshakeTimeout;
        this.delegatedTaskExecutor = b.delegatedTaskExecutor;
    }

    /** {@return a builder with the defaults described on the class} */
    public static Builder builder() {
        return new Builder();
    }

    /** {@return the context engines are created from} */
    public SSLContext sslContext() {
        return context;
    }

    /** {@return the store of this side's certificates, or null when the user gave their own {@link SSLContext}} */
    public CertificateStore certificates() {
        return certificates;
    }

    /** {@return the enabled protocol versions} */
    public List<String> protocols() {
        return protocols;
    }

    /** {@return the ALPN protocols, in preference order (the server picks its first one the client offers); empty: no ALPN} */
    public List<String> applicationProtocols() {
        return applicationProtocols;
    }

    /**
     * Whether a server asks for client certificates.
     *
     * @return whether, and how strictly, a server asks for client certificates
     */
    public ClientAuth clientAuth() {
        return clientAuth;
    }

    /** {@return whether a client checks that the server's certificate is for the name it connected to} */
    public boolean hostnameVerification() {
        return hostnameVerification;
    }

    /** {@return the longest a handshake may take, on the loop's clock} */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    /**
     * Runs the engine's delegated tasks (certificate checks, key exchange), off the loop.
     *
     * @return the executor of the engine's delegated tasks
     */
    public Executor delegatedTaskExecutor() {
        return delegatedTaskExecutor;
    }

    /** Whether a server can present a certificate: the user's context, or a store with a default one. */
    boolean canServe() {
        return userContext || certificates != null && certificates.hasDefault();
    }

    /** A server-side engine set up as configured. */
    SSLEngine newServerEngine() {
        SSLEngine engine = context.createSSLEngine();
        engine.setUseClientMode(false);
        SSLParameters parameters = parameters(engine);
        switch (clientAuth) {
            case REQUIRED -> parameters.setNeedClientAuth(true);
            case OPTIONAL -> parameters.setWantClientAuth(true);
            case NONE -> { }
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    /** A client-side engine for {@code serverName} (sent as SNI unless an IP literal; verified if configured). */
    SSLEngine newClientEngine(String serverName, int port) {
        SSLEngine engine = context.createSSLEngine(serverName, port);
        engine.setUseClientMode(true);
        SSLParameters parameters = parameters(engine);
        if (hostnameVerification) {
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
        }
        if (!isIpLiteral(serverName)) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        engine.setSSLParameters(parameters);
        return engine;
    }

    private SSLParameters parameters(SSLEngine engine) {
        SSLParameters parameters = engine.getSSLParameters();
        parameters.setProtocols(protocols.toArray(String[]::new));
        if (!cipherSuites.isEmpty()) {
            parameters.setCipherSuites(cipherSuites.toArray(String[]::new));
        }
        if (!applicationProtocols.isEmpty()) {
            parameters.setApplicationProtocols(applicationProtocols.toArray(String[]::new));
        }
        return parameters;
    }

    private static boolean isIpLiteral(String name) {
        return name.indexOf(':') >= 0 || name.chars().allMatch(c -> c == '.' || Character.isDigit(c));
    }

    /** Builds a {@link TlsConfig}; not thread-safe. */
    public static final class Builder {
        private SSLContext context;
        private CertificateStore certificates;
        private KeyStore trusted;
        private List<String> protocols = DEFAULT_PROTOCOLS;
        private List<String> cipherSuites = List.of();
        private List<String> applicationProtocols = List.of();
        private ClientAuth clientAuth = ClientAuth.NONE;
        private boolean hostnameVerification = true;
        private Duration handshakeTimeout = DEFAULT_HANDSHAKE_TIMEOUT;
        private Executor delegatedTaskExecutor = VIRTUAL_THREADS;

        private Builder() {
        }

        /**
         * Uses the user's context as it is (its key and trust managers); then {@link
         * #certificates} and {@link #trustPem} must not be set.
         *
         * @param value the context engines are made from
         * @return this builder
         */
        public Builder sslContext(SSLContext value) {
            this.context = Objects.requireNonNull(value, "sslContext");
            return this;
        }

        /**
         * This side's certificates: a server's (by SNI name), or a client's for mutual TLS.
         *
         * @param value the certificates this side presents
         * @return this builder
         */
        public Builder certificates(CertificateStore value) {
            this.certificates = Objects.requireNonNull(value, "certificates");
            return this;
        }

        /**
         * Trusts the CA certificates in PEM file {@code caFile} (instead of the JDK's default CAs) to
         * verify the peer: the server, or clients under mutual TLS.
         *
         * @param caFile the PEM file of the CA certificates to trust
         * @return this builder
         * @throws IOException if the file cannot be read or holds no certificate
         */
        public Builder trustPem(Path caFile) throws IOException {
            this.trusted = Pem.trustStore(caFile);
            return this;
        }

        /**
         * The protocol versions to enable (default TLS 1.3 and 1.2).
         *
         * @param values protocol names as the JDK spells them ({@code TLSv1.3})
         * @return this builder
         */
        public Builder protocols(String... values) {
            this.protocols = nonEmpty("protocols", values);
            return this;
        }

        /**
         * The cipher suites to enable (default: the JDK's).
         *
         * @param values cipher suite names as the JDK spells them
         * @return this builder
         */
        public Builder cipherSuites(String... values) {
            this.cipherSuites = nonEmpty("cipherSuites", values);
            return this;
        }

        /**
         * The ALPN protocols, in preference order (a server picks its first one the client offers).
         *
         * @param values protocol ids ({@code h2}, {@code http/1.1}), preferred first
         * @return this builder
         */
        public Builder applicationProtocols(String... values) {
            this.applicationProtocols = nonEmpty("applicationProtocols", values);
            return this;
        }

        /**
         * Whether a server asks for client certificates (default {@link ClientAuth#NONE}).
         *
         * @param value none, wanted or required
         * @return this builder
         */
        public Builder clientAuth(ClientAuth value) {
            this.clientAuth = Objects.requireNonNull(value, "clientAuth");
            return this;
        }

        /**
         * Whether a client verifies the server's name against its certificate (default true).
         *
         * @param on whether to verify the name
         * @return this builder
         */
        public Builder hostnameVerification(boolean on) {
            this.hostnameVerification = on;
            return this;
        }

        /**
         * The longest a handshake may take (default 10 s; must be positive).
         *
         * @param value the handshake's bound
         * @return this builder
         */
        public Builder handshakeTimeout(Duration value) {
            Objects.requireNonNull(value, "handshakeTimeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be > 0, got " + value);
            }
            this.handshakeTimeout = value;
            return this;
        }

        /**
         * Runs the engine's delegated tasks (default: a virtual thread per task); never the loop's thread.
         *
         * @param value runs each delegated task, off the loop
         * @return this builder
         */
        public Builder delegatedTaskExecutor(Executor value) {
            this.delegatedTaskExecutor = Objects.requireNonNull(value, "delegatedTaskExecutor");
            return this;
        }

        /**
         * The config.
         *
         * @return the config, ready to share among servers and connections
         * @throws IllegalStateException if an {@link SSLContext} was given together with certificates
         *     or trusted CAs, or the JDK cannot build a TLS context
         */
        public TlsConfig build() {
            if (context != null) {
                if (certificates != null || trusted != null) {
                    throw new IllegalStateException("give either sslContext(...) or certificates(...)/trustPem(...),"
                            + " not both: the SSLContext already carries its key and trust managers");
                }
                return new TlsConfig(this, context);
            }
            try {
                TrustManager[] trust = null;
                if (trusted != null) {
                    TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    factory.init(trusted);
                    trust = factory.getTrustManagers();
                }
                SSLContext built = SSLContext.getInstance("TLS");
                built.init(certificates == null ? null : new KeyManager[] {certificates}, trust, null);
                return new TlsConfig(this, built);
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("cannot build a TLS context: " + e.getMessage(), e);
            }
        }

        private static List<String> nonEmpty(String what, String[] values) {
            List<String> list = List.of(values);
            if (list.isEmpty()) {
                throw new IllegalArgumentException(what + " is empty; leave it unset for the default");
            }
            return list;
        }
    }
}

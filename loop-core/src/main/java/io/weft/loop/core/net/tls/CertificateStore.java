package io.weft.loop.core.net.tls;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.ExtendedSSLSession;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The certificates (chain and private key) this side presents: a default one, and others picked by
 * the server name a client asks for (SNI). Entries can be replaced at any time from any thread:
 * handshakes that start afterwards present the new certificate (rotation without restart), the
 * ones under way finish with the old one.
 *
 * <p>It is the {@link javax.net.ssl.KeyManager} of the {@link TlsConfig} it is given to; the JDK
 * calls it during handshakes.
 */
public final class CertificateStore extends X509ExtendedKeyManager {
    private static final String DEFAULT = "";

    /** One chain and key; its alias is unique, so a handshake never mixes a replaced key with a new chain. */
    private record Entry(String alias, X509Certificate[] chain, PrivateKey key) {
    }

    private final AtomicLong generation = new AtomicLong();
    /** Server name (lower case; "" for the default) to its current entry. Copy on write. */
    private volatile Map<String, Entry> byName = Map.of();
    /** Alias to entry: the current ones and the one each replaced, for handshakes under way. Copy on write. */
    private volatile Map<String, Entry> byAlias = Map.of();

    /** An empty store; a server needs at least a default certificate before it can handshake. */
    public CertificateStore() {
    }

    /**
     * Sets the default certificate from PEM files: {@code chainFile} holds the chain in order (leaf
     * first), {@code keyFile} the unencrypted PKCS#8 key. Returns this store.
     *
     * @param chainFile the PEM certificate chain, leaf first
     * @param keyFile the PEM private key, unencrypted PKCS#8
     * @return this store
     * @throws IOException if a file cannot be read or parsed, naming it
     */
    public CertificateStore loadPem(Path chainFile, Path keyFile) throws IOException {
        return put(DEFAULT, Pem.certificates(chainFile), Pem.privateKey(keyFile));
    }

    /**
     * Like {@link #loadPem(Path, Path)}, for clients that ask for {@code serverName} (SNI).
     *
     * @param serverName the host name clients ask for
     * @param chainFile the PEM certificate chain, leaf first
     * @param keyFile the PEM private key, unencrypted PKCS#8
     * @return this store
     * @throws IOException if a file cannot be read or parsed, naming it
     */
    public CertificateStore loadPem(String serverName, Path chainFile, Path keyFile) throws IOException {
        return put(checkName(serverName), Pem.certificates(chainFile), Pem.privateKey(keyFile));
    }

    /**
     * Sets the default certificate from the first key entry of a PKCS#12 file. Returns this store.
     *
     * @param file the PKCS#12 key store
     * @param password its password
     * @return this store
     * @throws IOException if the file cannot be read, the password is wrong, or it holds no key entry
     */
    public CertificateStore loadPkcs12(Path file, char[] password) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, password);
            for (String alias : java.util.Collections.list(store.aliases())) {
                Key key = store.getKey(alias, password);
                if (key instanceof PrivateKey privateKey) {
                    Certificate[] chain = store.getCertificateChain(alias);
                    return put(DEFAULT, Arrays.copyOf(chain, chain.length, X509Certificate[].class), privateKey);
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read PKCS#12 file " + file + ": " + e.getMessage(), e);
        }
        throw new IOException("PKCS#12 file " + file + " holds no private key entry");
    }

    /**
     * Sets the default certificate; {@code chain} leaf first. Returns this store.
     *
     * @param chain the certificate chain, leaf first
     * @param key the leaf's private key
     * @return this store
     */
    public CertificateStore put(X509Certificate[] chain, PrivateKey key) {
        return put(DEFAULT, chain, key);
    }

    /**
     * Sets the certificate for clients that ask for {@code serverName} (SNI). Returns this store.
     *
     * @param serverName the host name clients ask for
     * @param chain the certificate chain, leaf first
     * @param key the leaf's private key
     * @return this store
     */
    public CertificateStore put(String serverName, X509Certificate[] chain, PrivateKey key) {
        Objects.requireNonNull(serverName, "serverName; use put(chain, key) for the default certificate");
        Objects.requireNonNull(chain, "chain");
        Objects.requireNonNull(key, "key");
        if (chain.length == 0) {
            throw new IllegalArgumentException("chain is empty; give the leaf certificate first, then its issuers");
        }
        String name = serverName.isEmpty() ? DEFAULT : checkName(serverName);
        Entry entry = new Entry("weft-" + generation.incrementAndGet() + "-" + name, chain.clone(), key);
        synchronized (this) {
            Map<String, Entry> names = new HashMap<>(byName);
            Entry replaced = names.put(name, entry);
            Map<String, Entry> aliases = new HashMap<>();
            for (Entry current : names.values()) {
                aliases.put(current.alias(), current);
            }
            if (replaced != null) {
                aliases.put(replaced.alias(), replaced);
            }
            byName = Map.copyOf(names);
            byAlias = Map.copyOf(aliases);
        }
        return this;
    }

    /** {@return whether a default certificate is set} */
    public boolean hasDefault() {
        return byName.containsKey(DEFAULT);
    }

    private static String checkName(String serverName) {
        Objects.requireNonNull(serverName, "serverName");
        if (serverName.isBlank()) {
            throw new IllegalArgumentException("serverName is blank; use loadPem(chain, key) for the default certificate");
        }
        return serverName.toLowerCase(Locale.ROOT);
    }

    // ------------------------------------------------------------------ called by the JDK

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        Entry entry = byName.get(DEFAULT);
        SSLSession handshake = engine == null ? null : engine.getHandshakeSession();
        if (handshake instanceof ExtendedSSLSession extended) {
            for (SNIServerName requested : extended.getRequestedServerNames()) {
                if (requested instanceof SNIHostName host) {
                    Entry named = byName.get(host.getAsciiName().toLowerCase(Locale.ROOT));
                    if (named != null) {
                        entry = named;
                    }
                }
            }
        }
        return entry != null && fits(entry, keyType) ? entry.alias() : null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyTypes, Principal[] issuers, SSLEngine engine) {
        Entry entry = byName.get(DEFAULT);
        if (entry != null) {
            for (String keyType : keyTypes) {
                if (fits(entry, keyType)) {
                    return entry.alias();
                }
            }
        }
        return null;
    }

    /** Whether the entry's key can sign for {@code keyType} ("RSASSA-PSS" also takes an RSA key). */
    private static boolean fits(Entry entry, String keyType) {
        String algorithm = entry.key().getAlgorithm();
        return algorithm.equalsIgnoreCase(keyType) || keyType.equals("RSASSA-PSS") && algorithm.equals("RSA");
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        return chooseEngineServerAlias(keyType, issuers, null);
    }

    @Override
    public String chooseClientAlias(String[] keyTypes, Principal[] issuers, Socket socket) {
        return chooseEngineClientAlias(keyTypes, issuers, null);
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        return byAlias.values().stream().filter(e -> fits(e, keyType)).map(Entry::alias).toArray(String[]::new);
    }

    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return getServerAliases(keyType, issuers);
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        Entry entry = byAlias.get(alias);
        return entry == null ? null : entry.chain().clone();
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        Entry entry = byAlias.get(alias);
        return entry == null ? null : entry.key();
    }
}

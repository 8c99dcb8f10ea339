package io.weft.loop.core.net.tls;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/** Reads PEM files: certificate chains and unencrypted PKCS#8 private keys. */
final class Pem {
    private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
    private static final String KEY_END = "-----END PRIVATE KEY-----";
    private static final List<String> KEY_ALGORITHMS = List.of("EC", "RSA", "Ed25519", "Ed448", "RSASSA-PSS");

    private Pem() {
    }

    /** The certificates of {@code file}, in file order (leaf first for a chain). */
    static X509Certificate[] certificates(Path file) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        try {
            X509Certificate[] chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(bytes)).stream()
                    .map(X509Certificate.class::cast).toArray(X509Certificate[]::new);
            if (chain.length == 0) {
                throw new IOException(file + " holds no PEM certificate");
            }
            return chain;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the certificates of " + file + ": " + e.getMessage(), e);
        }
    }

    /** The unencrypted PKCS#8 key ({@code BEGIN PRIVATE KEY}) of {@code file}. */
    static PrivateKey privateKey(Path file) throws IOException {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        int begin = text.indexOf(KEY_BEGIN);
        int end = text.indexOf(KEY_END);
        if (begin < 0 || end < begin) {
            throw new IOException(file + " holds no unencrypted PKCS#8 key (\"" + KEY_BEGIN + "\"); convert it with"
                    + " 'openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8'");
        }
        byte[] der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
        PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
        for (String algorithm : KEY_ALGORITHMS) {
            try {
                return KeyFactory.getInstance(algorithm).generatePrivate(spec);
            } catch (GeneralSecurityException notThisOne) {
                // try the next algorithm
            }
        }
        throw new IOException("the key in " + file + " is none of " + KEY_ALGORITHMS);
    }

    /** A key store trusting every certificate of {@code file} (CA certificates, PEM). */
    static KeyStore trustStore(Path file) throws IOException {
        X509Certificate[] certificates = certificates(file);
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < certificates.length; i++) {
                store.setCertificateEntry("trusted-" + i, certificates[i]);
            }
            return store;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot build a trust store from " + file + ": " + e.getMessage(), e);
        }
    }
}

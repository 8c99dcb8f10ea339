package io.weft.loop.core.net.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** A throw-away P-256 certificate for localhost made by the JDK's keytool, with a server config and a client that trusts it. */
final class SelfSignedCertificate {
    private static final char[] PASSWORD = "changeit".toCharArray();
    private final Path keyStore;

    /**
     * Makes the certificate in {@code dir}.
     *
     * @param dir where the PKCS#12 file goes
     */
    SelfSignedCertificate(Path dir) throws Exception {
        keyStore = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
                "-ext", "san=dns:localhost", "-validity", "2", "-storetype", "PKCS12", "-keystore", keyStore.toString(),
                "-storepass", new String(PASSWORD)).redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes());
        assertThat(keytool.waitFor()).as("keytool: %s", output).isZero();
    }

    /** {@return a server config presenting the certificate, {@code protocol} only} */
    TlsConfig.Builder serverConfig(String protocol) throws IOException {
        return TlsConfig.builder().protocols(protocol).certificates(new CertificateStore().loadPkcs12(keyStore, PASSWORD));
    }

    /** {@return a client socket to {@code port} on loopback, layered over {@code raw}, trusting the certificate} */
    SSLSocket client(Socket raw) throws Exception {
        KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            trusted.load(in, PASSWORD);
        }
        TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket(raw, "localhost", raw.getPort(), true);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** {@return a client socket to {@code port} on loopback, trusting the certificate} */
    SSLSocket client(int port) throws Exception {
        return client(new Socket(InetAddress.getLoopbackAddress(), port));
    }
}

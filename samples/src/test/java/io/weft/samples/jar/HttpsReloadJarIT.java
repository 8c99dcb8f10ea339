package io.weft.samples.jar;

import static org.assertj.core.api.Assertions.assertThat;

import io.weft.loop.core.net.tls.TlsConfig;
import io.weft.loop.testkit.TestCertificates;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * weft-http.jar with {@code --tls-cert}/{@code --tls-key}: {@code kill -HUP} re-reads the files, so
 * new connections see the new certificate ({@code openssl s_client}, compared by SHA-256
 * fingerprint) while a connection already open goes on; a file that does not parse keeps the old one.
 */
@Timeout(120)
class HttpsReloadJarIT {

    @Test
    void sighupPresentsTheNewCertificateToNewConnectionsOnly(@TempDir Path dir) throws Exception {
        Path cert = dir.resolve("cert.pem");
        Path key = dir.resolve("key.pem");
        install("server", cert, key); // certificate A: localhost
        String a = fileFingerprint(TestCertificates.file("server.pem"));
        String b = fileFingerprint(TestCertificates.file("other.pem")); // certificate B: other.test
        try (SampleJar https = SampleJar.start("http", "--tls-cert", cert.toString(), "--tls-key", key.toString())) {
            assertThat(servedFingerprint(https.port())).as("before SIGHUP").isEqualTo(a);

            try (SSLSocket open = (SSLSocket) TlsConfig.builder().trustPem(TestCertificates.file("ca.pem")).build()
                    .sslContext().getSocketFactory().createSocket("127.0.0.1", https.port())) {
                open.startHandshake();
                install("other", cert, key);
                ToolRun.output("kill", "-HUP", Long.toString(https.pid()));
                assertThat(https.awaitLine("SIGHUP")).contains("reloaded the TLS certificate");

                assertThat(servedFingerprint(https.port())).as("a new connection after SIGHUP").isEqualTo(b);
                assertThat(get(open)).as("the connection opened before goes on").startsWith("HTTP/1.1 200");
                assertThat(fingerprint(open.getSession().getPeerCertificates()[0].getEncoded())).isEqualTo(a);
            }

            Files.writeString(cert, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n");
            ToolRun.output("kill", "-HUP", Long.toString(https.pid()));
            assertThat(https.awaitLine("SIGHUP")).contains("kept the old TLS certificate").contains(cert.toString());
            assertThat(servedFingerprint(https.port())).as("after a SIGHUP with a bad file").isEqualTo(b);
            assertThat(https.stop()).contains("weft http stopped");
        }
    }

    /** Puts certificate NAME of the test CA (chain and key) where the sample reads it. */
    private static void install(String name, Path cert, Path key) throws Exception {
        Files.copy(TestCertificates.file(name + ".pem"), cert, StandardCopyOption.REPLACE_EXISTING);
        Files.copy(TestCertificates.file(name + ".key"), key, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The fingerprint of the leaf certificate a new {@code openssl s_client} connection is shown. */
    private static String servedFingerprint(int port) throws Exception {
        return opensslFingerprint(ToolRun.output("bash", "-c", "openssl s_client -connect 127.0.0.1:" + port
                + " -servername localhost </dev/null 2>/dev/null | openssl x509 -noout -fingerprint -sha256"));
    }

    private static String fileFingerprint(Path pem) throws Exception {
        return opensslFingerprint(ToolRun.output("openssl", "x509", "-in", pem.toString(), "-noout", "-fingerprint",
                "-sha256"));
    }

    /** {@code sha256 Fingerprint=AB:CD:...} as upper-case hex. */
    private static String opensslFingerprint(String output) {
        return output.strip().substring(output.indexOf('=') + 1).replace(":", "");
    }

    private static String fingerprint(byte[] der) throws Exception {
        return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-256").digest(der));
    }

    private static String get(SSLSocket socket) throws Exception {
        socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
    }
}

package io.weft.loop.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The throw-away CA and certificates of scripts/make-test-certs.sh, made once per JVM under target/. */
public final class TestCertificates {
    private static Path dir;

    private TestCertificates() {
    }

    /** {@return the directory holding ca.pem, server.pem/.key, other, client, expired, untrusted, server.p12} */
    public static synchronized Path dir() {
        if (dir == null) {
            try {
                Path target = Files.createDirectories(Path.of("target", "tls-test-certs")).toAbsolutePath();
                Process process = new ProcessBuilder("bash", script().toString(), target.toString())
                        .redirectErrorStream(true).start();
                String output = new String(process.getInputStream().readAllBytes());
                if (process.waitFor() != 0) {
                    throw new IOException("make-test-certs.sh failed: " + output);
                }
                dir = target;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return dir;
    }

    /**
     * {@return a file of {@link #dir()}}
     *
     * @param name the file's name, such as {@code server.pem}
     */
    public static Path file(String name) {
        return dir().resolve(name);
    }

    private static Path script() {
        for (Path at = Path.of("").toAbsolutePath(); at != null; at = at.getParent()) {
            Path script = at.resolve("scripts/make-test-certs.sh");
            if (Files.isRegularFile(script)) {
                return script;
            }
        }
        throw new IllegalStateException("scripts/make-test-certs.sh not found above " + Path.of("").toAbsolutePath());
    }
}

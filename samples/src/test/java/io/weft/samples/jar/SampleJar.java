package io.weft.samples.jar;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sample's executable jar started as a user starts it ({@code java -jar target/weft-NAME.jar
 * --port 0 ...}, or {@code --unix PATH}) on the JDK running the tests. {@link #start} returns once the
 * banner line says where it listens; {@link #stop} sends SIGTERM and expects a graceful stop.
 */
final class SampleJar implements AutoCloseable {
    private static final Pattern BANNER =
            Pattern.compile("weft \\w+ listening on (?:127\\.0\\.0\\.1:(\\d+)\\b|unix:(\\S+) ).*");

    private final Process process;
    private final BufferedReader stdout;
    private final int port;
    private final List<String> lines = new ArrayList<>();

    private SampleJar(Process process) throws IOException {
        this.process = process;
        this.stdout = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        this.port = awaitBanner();
    }

    /** Starts {@code target/weft-NAME.jar} on 127.0.0.1 and any free port, with {@code options}. */
    static SampleJar start(String name, String... options) throws IOException {
        List<String> listen = new ArrayList<>(List.of("--host", "127.0.0.1", "--port", "0"));
        listen.addAll(List.of(options));
        return launch(name, listen);
    }

    /** Starts {@code target/weft-NAME.jar} on the Unix domain socket {@code socket}, with {@code options}. */
    static SampleJar startUnix(String name, Path socket, String... options) throws IOException {
        List<String> listen = new ArrayList<>(List.of("--unix", socket.toString()));
        listen.addAll(List.of(options));
        return launch(name, listen);
    }

    private static SampleJar launch(String name, List<String> options) throws IOException {
        Path jar = Path.of("target", "weft-" + name + ".jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no " + jar.toAbsolutePath() + ": run the integration tests with ./mvnw verify, after package");
        }
        List<String> command = new ArrayList<>(List.of(java(), "-jar", jar.toString()));
        command.addAll(options);
        // stderr joins stdout: a test can wait for a line the sample logs there.
        return new SampleJar(new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /** The port the sample listens on; -1 on a Unix domain socket. */
    int port() {
        return port;
    }

    /** The sample's process id, for signals other than SIGTERM ({@code kill -HUP}). */
    long pid() {
        return process.pid();
    }

    /** Reads what the sample prints (stdout and stderr) until a line contains {@code text}; returns that line. */
    String awaitLine(String text) throws IOException {
        for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
            lines.add(line);
            if (line.contains(text)) {
                return line;
            }
        }
        throw new IllegalStateException("the sample exited without printing '" + text + "'; it printed " + lines);
    }

    /** Sends SIGTERM, reads what the sample prints until it exits, and returns the lines after its banner. */
    List<String> stop() throws IOException, InterruptedException {
        process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close the pipe still to be read
        for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
            lines.add(line);
        }
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the sample closed its output but did not exit within 30 s of SIGTERM");
        }
        return lines;
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }

    private int awaitBanner() throws IOException {
        for (String line = stdout.readLine(); line != null; line = stdout.readLine()) {
            Matcher banner = BANNER.matcher(line);
            if (banner.matches()) {
                return banner.group(1) != null ? Integer.parseInt(banner.group(1)) : -1;
            }
            lines.add(line);
        }
        throw new IllegalStateException("the sample exited before listening; it printed " + lines);
    }

    private static String java() {
        return ProcessHandle.current().info().command()
                .orElseThrow(() -> new IllegalStateException("cannot tell which java runs the tests"));
    }
}

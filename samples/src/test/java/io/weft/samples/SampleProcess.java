package io.weft.samples;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A sample's main class run in a child JVM on the test class path, as an operator runs it. Its
 * stdout and stderr go to files (a pipe read while the JDK drains it at exit can lose the last
 * lines); tests wait for lines, re-reading the files while the child runs, and signal it.
 */
final class SampleProcess implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("listening on [^ ]*:(\\d+) ");
    private static final long LINE_WAIT_SECONDS = 60;

    private final Process process;
    private final Path out;
    private final Path err;

    private SampleProcess(Process process, Path out, Path err) {
        this.process = process;
        this.out = out;
        this.err = err;
    }

    /** Starts {@code mainClass} with {@code args}. */
    static SampleProcess start(Class<?> mainClass, String... args) throws IOException {
        return start(List.of(), mainClass, args);
    }

    /** Starts {@code mainClass} with {@code args} on a JVM given {@code jvmOptions}. */
    static SampleProcess start(List<String> jvmOptions, Class<?> mainClass, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("weft-sample", ".out");
        Path err = Files.createTempFile("weft-sample", ".err");
        Process process = new ProcessBuilder(command)
                .redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(new File("/dev/null"))
                .start();
        return new SampleProcess(process, out, err);
    }

    /** Waits for the banner and returns the port it names. */
    int awaitPort() throws Exception {
        Matcher m = PORT.matcher(awaitLine(out, line -> PORT.matcher(line).find()));
        m.find();
        return Integer.parseInt(m.group(1));
    }

    /** Waits for a stderr line that contains {@code text}. */
    String awaitErr(String text) throws Exception {
        return awaitLine(err, line -> line.contains(text));
    }

    /** Waits until one of the child's threads has {@code frame} on its stack (read with {@code jcmd Thread.print}). */
    void awaitFrame(String frame) throws Exception {
        String jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LINE_WAIT_SECONDS);
        while (process.isAlive() && System.nanoTime() - deadline < 0) {
            Process dump = new ProcessBuilder(jcmd, String.valueOf(process.pid()), "Thread.print")
                    .redirectErrorStream(true).start();
            String stacks = new String(dump.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            dump.waitFor();
            if (stacks.contains(frame)) {
                return;
            }
        }
        throw new AssertionError("no thread reached " + frame + "; stdout " + out() + ", stderr " + err());
    }

    private String awaitLine(Path file, Predicate<String> wanted) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(LINE_WAIT_SECONDS);
        while (true) {
            boolean exited = !process.isAlive();
            for (String line : lines(file)) {
                if (wanted.test(line)) {
                    return line;
                }
            }
            if (exited || System.nanoTime() - deadline > 0) {
                throw new AssertionError("no such line; stdout " + out() + ", stderr " + err());
            }
            try {
                process.onExit().get(20, TimeUnit.MILLISECONDS); // the next look: after more output, or the exit
            } catch (TimeoutException e) {
                // look again
            }
        }
    }

    /** Sends SIGTERM. */
    void terminate() {
        process.destroy(); // SIGTERM on Unix
    }

    /** Waits for the process to end (at most a minute) and returns its exit status. */
    int awaitExit() throws InterruptedException, IOException {
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            throw new AssertionError("still running a minute after the signal; stdout " + out() + ", stderr " + err());
        }
        return process.exitValue();
    }

    /** Everything printed so far on stdout. */
    List<String> out() throws IOException {
        return lines(out);
    }

    /** Everything printed so far on stderr. */
    List<String> err() throws IOException {
        return lines(err);
    }

    private static List<String> lines(Path file) throws IOException {
        return List.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8).split("\n", -1));
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        try {
            process.onExit().get(60, TimeUnit.SECONDS);
        } catch (InterruptedException | ExecutionException | TimeoutException e) {
            throw new IOException("the child did not end", e);
        }
        Files.deleteIfExists(out);
        Files.deleteIfExists(err);
    }
}

package io.weft.samples.jar;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command-line client (curl, redis-cli) to the end and returns its standard output. */
final class ToolRun {
    private ToolRun() {
    }

    /** Runs {@code command}; fails with its output unless it exits 0 within 30 s. */
    static String output(String... command) throws IOException, InterruptedException {
        Process process = run(command);
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        awaitExit(process, command);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }

    /** Runs {@code command}, which may fail, within 30 s; returns its output (stdout and stderr). */
    static String outputOfAnyExit(String... command) throws IOException, InterruptedException {
        Process process = run(command);
        String text = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        awaitExit(process, command);
        return text;
    }

    private static Process run(String... command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static void awaitExit(Process process, String... command) throws InterruptedException {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(List.of(command) + " did not end within 30 s");
        }
    }
}

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
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IllegalStateException(List.of(command) + " did not end within 30 s");
        }
        String text = new String(output, StandardCharsets.UTF_8);
        if (process.exitValue() != 0) {
            throw new IllegalStateException(List.of(command) + " exited " + process.exitValue() + ": " + text);
        }
        return text;
    }
}

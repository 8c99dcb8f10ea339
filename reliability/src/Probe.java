import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * What a server process holds, read from outside as an operator would: open fds and RSS from
 * /proc, CPU time from /proc/PID/stat, native memory from NMT ({@code jcmd PID VM.native_memory},
 * which needs the server started with {@code -XX:NativeMemoryTracking=summary}).
 */
record Probe(long pid) {
    /** Open file descriptors. */
    long fds() throws IOException {
        try (var list = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            return list.count();
        }
    }

    /** Resident set size, KiB. */
    long rssKiB() throws IOException {
        return statusField("VmRSS:");
    }

    /** Peak resident set size, KiB. */
    long peakRssKiB() throws IOException {
        return statusField("VmHWM:");
    }

    private long statusField(String name) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
            if (line.startsWith(name)) {
                return Long.parseLong(line.substring(name.length()).strip().split("\\s+")[0]);
            }
        }
        throw new IOException("no " + name + " for pid " + pid);
    }

    /** User plus system CPU time, in clock ticks (100 a second on Linux). */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    }

    /** NMT's committed native memory outside the Java heap (threads, code, GC, NIO and FFM buffers...), KiB; -1 without NMT. */
    long nmtCommittedKiB() throws IOException, InterruptedException {
        long total = -1;
        long heap = 0;
        for (String line : jcmd("VM.native_memory", "summary").split("\n")) {
            if (line.contains("Total: reserved=")) {
                total = committed(line);
            } else if (line.contains("Java Heap (reserved=")) {
                heap = committed(line);
            }
        }
        return total < 0 ? -1 : total - heap;
    }

    private static long committed(String line) {
        int at = line.indexOf("committed=");
        return Long.parseLong(line.substring(at + 10).replaceAll("[^0-9].*", ""));
    }

    /** Heap in use after a full GC, KiB (so that garbage does not count as held). */
    long heapUsedAfterGcKiB() throws IOException, InterruptedException {
        jcmd("GC.run");
        for (String line : jcmd("GC.heap_info").split("\n")) {
            int used = line.indexOf("used ");
            if (line.contains("total") && used >= 0) {
                return Long.parseLong(line.substring(used + 5).replaceAll("[^0-9].*", ""));
            }
        }
        return -1;
    }

    private String jcmd(String... command) throws IOException, InterruptedException {
        String[] argv = new String[command.length + 2];
        argv[0] = Path.of(System.getProperty("java.home"), "bin", "jcmd").toString();
        argv[1] = Long.toString(pid);
        System.arraycopy(command, 0, argv, 2, command.length);
        Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("jcmd did not finish in 60 s");
        }
        return out;
    }

    /** Whether the process is still running (an exited one its parent has not yet waited for is not). */
    boolean alive() {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return stat.charAt(stat.lastIndexOf(')') + 2) != 'Z';
        } catch (IOException gone) {
            return false;
        }
    }
}

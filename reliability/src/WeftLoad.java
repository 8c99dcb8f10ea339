import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The load clients of the reliability scenarios, run by {@code reliability/run.sh} against a sample
 * server it started on loopback. Each scenario prints one line, {@code RESULT scenario key=value ...
 * verdict=PASS|FAIL}, and exits 0 on PASS, 1 on FAIL. Every loop is bounded in count and in time.
 *
 * <p>{@code java reliability/src/WeftLoad.java SCENARIO --port N --pid PID [--n N] [--conc N] [--bytes N]}
 */
public final class WeftLoad {
    private static final String HOST = "127.0.0.1";
    /** No single socket operation of a scenario waits longer than this. */
    private static final int SOCKET_TIMEOUT_MS = 30_000;
    private static final byte[] PING = "PING".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PONG = "+PONG".getBytes(StandardCharsets.US_ASCII);

    private final Map<String, String> options;
    private final int port;
    private final Probe server;
    private final Map<String, Object> figures = new LinkedHashMap<>();

    private WeftLoad(Map<String, String> options) {
        this.options = options;
        this.port = Integer.parseInt(required("port"));
        this.server = new Probe(Long.parseLong(required("pid")));
    }

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.err.println("usage: WeftLoad SCENARIO --port N --pid PID [--n N] [--conc N] [--bytes N]");
            System.exit(2);
        }
        Map<String, String> options = new LinkedHashMap<>();
        for (int i = 1; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        WeftLoad load = new WeftLoad(options);
        boolean pass = switch (args[0]) {
            case "churn" -> load.churn();
            case "keepalive" -> load.keepAlive();
            case "echo" -> load.echo();
            case "shortecho" -> load.shortEcho();
            case "kv" -> load.kv();
            case "slowhead" -> load.slowloris(false);
            case "slowbody" -> load.slowloris(true);
            case "noread" -> load.noRead();
            case "halfclose" -> load.halfClose();
            case "resets" -> load.resets();
            case "graceful" -> load.graceful();
            case "fdexhaust" -> load.fdExhaustion();
            case "kvflood" -> load.kvFlood();
            default -> throw new IllegalArgumentException("unknown scenario " + args[0]);
        };
        StringBuilder line = new StringBuilder("RESULT " + args[0] + " " + options.getOrDefault("label", ""));
        load.figures.forEach((k, v) -> line.append(' ').append(k).append('=').append(v));
        System.out.println(line.append(" verdict=").append(pass ? "PASS" : "FAIL"));
        System.exit(pass ? 0 : 1);
    }

    private String required(String name) {
        String value = options.get(name);
        if (value == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return value;
    }

    private long option(String name, long otherwise) {
        return options.containsKey(name) ? Long.parseLong(options.get(name)) : otherwise;
    }

    private Socket connect() throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress(HOST, port), SOCKET_TIMEOUT_MS);
        socket.setSoTimeout(SOCKET_TIMEOUT_MS);
        return socket;
    }

    /** Runs {@code count} tasks, at most {@code concurrency} at once, each on its own virtual thread. */
    private static void runAll(long count, int concurrency, Task task) throws InterruptedException {
        Semaphore permits = new Semaphore(concurrency);
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (long i = 0; i < count; i++) {
                permits.acquire();
                long index = i;
                threads.submit(() -> {
                    try {
                        task.run(index);
                    } finally {
                        permits.release();
                    }
                    return null;
                });
            }
        }
    }

    @FunctionalInterface
    private interface Task {
        void run(long index) throws Exception;
    }

    /** Counts of what happened to requests, shared by the worker threads of a scenario. */
    private static final class Outcomes {
        final AtomicLong ok = new AtomicLong();
        final AtomicLong lost = new AtomicLong();
        final AtomicLong truncated = new AtomicLong();
        final AtomicLong reset = new AtomicLong();
        final AtomicLong wrong = new AtomicLong();
        final AtomicLong firstErrorSet = new AtomicLong();
        volatile String firstError = "none";

        void failed(Exception e) {
            if (e instanceof EOFException) {
                truncated.incrementAndGet();
            } else if (e instanceof SocketException && String.valueOf(e.getMessage()).contains("reset")) {
                reset.incrementAndGet();
            } else {
                lost.incrementAndGet();
            }
            if (firstErrorSet.getAndIncrement() == 0) {
                firstError = (e.getClass().getSimpleName() + ":" + e.getMessage()).replace(' ', '_');
            }
        }

        boolean clean() {
            return lost.get() == 0 && truncated.get() == 0 && reset.get() == 0 && wrong.get() == 0;
        }

        void report(Map<String, Object> figures) {
            figures.put("ok", ok.get());
            figures.put("lost", lost.get());
            figures.put("truncated", truncated.get());
            figures.put("reset", reset.get());
            figures.put("wrong", wrong.get());
            figures.put("firstError", firstError);
        }
    }

    // ------------------------------------------------------------------ churn

    /** n connect / GET with Connection: close / read to EOF / close cycles; fds and memory back to baseline. */
    private boolean churn() throws Exception {
        long n = option("n", 100_000);
        int conc = (int) option("conc", 64);
        Outcomes warm = new Outcomes();
        runAll(Math.min(2000, n), conc, i -> oneClosingRequest(warm));
        long fds0 = server.fds();
        long nmt0 = server.nmtCommittedKiB();
        long heap0 = server.heapUsedAfterGcKiB();
        long rss0 = server.rssKiB();
        Outcomes outcomes = new Outcomes();
        AtomicLong peakNmt = new AtomicLong(nmt0);
        AtomicBoolean running = new AtomicBoolean(true);
        Thread sampler = Thread.ofPlatform().start(() -> {
            try {
                while (running.get()) {
                    peakNmt.accumulateAndGet(server.nmtCommittedKiB(), Math::max);
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                }
            } catch (Exception ignored) {
                // the figure is a sample; a failed jcmd leaves the peak as it was
            }
        });
        long start = System.nanoTime();
        runAll(n, conc, i -> oneClosingRequest(outcomes));
        double seconds = (System.nanoTime() - start) / 1e9;
        running.set(false);
        sampler.join();
        long fds1 = settledFds(fds0);
        long nmt1 = server.nmtCommittedKiB();
        long heap1 = server.heapUsedAfterGcKiB();
        outcomes.report(figures);
        figures.put("cycles", n);
        figures.put("perSecond", Math.round(n / seconds));
        figures.put("fds", fds0 + "->" + fds1);
        figures.put("heapKiB", heap0 + "->" + heap1);
        figures.put("nmtKiB", nmt0 + "->" + nmt1);
        figures.put("nmtPeakDeltaKiB", peakNmt.get() - nmt0);
        figures.put("rssKiB", rss0 + "->" + server.rssKiB());
        return outcomes.clean() && outcomes.ok.get() == n && fds1 <= fds0 + 2
                && nmt1 - nmt0 < 16 * 1024 && heap1 - heap0 < 16 * 1024;
    }

    /** The fds once they stop falling (closes may still be in flight), waiting at most 10 s. */
    private long settledFds(long baseline) throws IOException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        long fds = server.fds();
        while (fds > baseline + 2 && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
            fds = server.fds();
        }
        return fds;
    }

    private void oneClosingRequest(Outcomes outcomes) {
        try (Socket socket = connect()) {
            socket.getOutputStream().write(Http.get(true));
            InputStream in = new BufferedInputStream(socket.getInputStream());
            Http.Response response = Http.read(in);
            if (response == null) {
                throw new EOFException("closed without a response");
            }
            if (response.status() != 200 || in.read() != -1) {
                outcomes.wrong.incrementAndGet();
            } else {
                outcomes.ok.incrementAndGet();
            }
        } catch (Exception e) {
            outcomes.failed(e);
        }
    }

    // ------------------------------------------------------------------ keep-alive

    /**
     * n connections open at once, each served {@code rounds} requests (HTTP {@code GET}s, or with
     * {@code --protocol resp} RESP {@code PING}s); memory per connection while all are open and idle:
     * RSS, and heap in use after a full GC ({@code --hold SECONDS} keeps them so a while longer, to look at the server by hand).
     */
    private boolean keepAlive() throws Exception {
        int n = (int) option("n", 10_000);
        int rounds = (int) option("rounds", 3);
        boolean resp = options.getOrDefault("protocol", "http").equals("resp");
        long heap0 = server.heapUsedAfterGcKiB();
        long rss0 = server.rssKiB();
        Outcomes outcomes = new Outcomes();
        CountDownLatch connected = new CountDownLatch(n);
        CountDownLatch measured = new CountDownLatch(1);
        AtomicLong rssAllOpen = new AtomicLong();
        AtomicLong heapAllOpen = new AtomicLong();
        Semaphore connecting = new Semaphore(256); // the listen backlog is finite: connect in waves
        Thread measure = Thread.ofPlatform().start(() -> {
            try {
                if (connected.await(120, TimeUnit.SECONDS)) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(500));
                    rssAllOpen.set(server.rssKiB());
                    heapAllOpen.set(server.heapUsedAfterGcKiB()); // what the connections hold, without the garbage of setting them up
                    LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(option("hold", 0))); // time to look inside by hand
                }
            } catch (Exception ignored) {
                // no figure then
            } finally {
                measured.countDown();
            }
        });
        runAll(n, n, i -> {
            Socket socket;
            connecting.acquire();
            try {
                socket = connect();
            } catch (Exception e) {
                outcomes.failed(e);
                connected.countDown();
                return;
            } finally {
                connecting.release();
            }
            try (socket) {
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                roundTrip(resp, out, in, outcomes); // the first request makes the server allocate what it allocates on use
                connected.countDown();
                measured.await();
                for (int r = 1; r < rounds; r++) {
                    roundTrip(resp, out, in, outcomes);
                }
            } catch (Exception e) {
                outcomes.failed(e);
                connected.countDown();
            }
        });
        measure.join();
        outcomes.report(figures);
        figures.put("connections", n);
        figures.put("served", outcomes.ok.get() + "/" + (long) n * rounds);
        figures.put("rssKiB", rss0 + "->" + rssAllOpen.get());
        figures.put("bytesPerConnection", rssAllOpen.get() == 0 ? "n/a" : (rssAllOpen.get() - rss0) * 1024 / n);
        figures.put("heapBytesPerConnection", heapAllOpen.get() == 0 ? "n/a" : (heapAllOpen.get() - heap0) * 1024 / n);
        return outcomes.clean() && outcomes.ok.get() == (long) n * rounds;
    }

    /** One keep-alive request and its response: an HTTP {@code GET} (200), or a RESP {@code PING} ({@code +PONG}). */
    private static void roundTrip(boolean resp, OutputStream out, InputStream in, Outcomes outcomes) throws IOException {
        if (!resp) {
            out.write(Http.get(false));
            served(Http.read(in), outcomes);
            return;
        }
        ByteArrayOutputStream command = new ByteArrayOutputStream(16);
        Resp.command(command, PING);
        out.write(command.toByteArray()); // one segment
        (Arrays.equals(Resp.reply(in), PONG) ? outcomes.ok : outcomes.wrong).incrementAndGet();
    }

    private static void served(Http.Response response, Outcomes outcomes) throws EOFException {
        if (response == null) {
            throw new EOFException("closed without a response");
        }
        (response.status() == 200 ? outcomes.ok : outcomes.wrong).incrementAndGet();
    }

    // ------------------------------------------------------------------ integrity

    /** conc connections each echo {@code bytes} random bytes in random chunks with pauses; SHA-256 both ways. */
    private boolean echo() throws Exception {
        int conns = (int) option("conc", 16);
        long bytes = option("bytes", 64L << 20);
        Outcomes outcomes = new Outcomes();
        long start = System.nanoTime();
        runAll(conns, conns, i -> {
            try (Socket socket = connect()) {
                MessageDigest sent = sha256();
                MessageDigest received = sha256();
                Thread writer = Thread.ofVirtual().start(() -> {
                    SplittableRandom random = new SplittableRandom(i);
                    byte[] chunk = new byte[64 * 1024];
                    try {
                        OutputStream out = socket.getOutputStream();
                        for (long left = bytes; left > 0; ) {
                            int n = (int) Math.min(left, 1 + random.nextInt(chunk.length));
                            random.nextBytes(chunk);
                            out.write(chunk, 0, n);
                            sent.update(chunk, 0, n);
                            left -= n;
                            if (random.nextInt(64) == 0) {
                                LockSupport.parkNanos(random.nextLong(2_000_000)); // a pause: the reads split differently
                            }
                        }
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        outcomes.failed(e);
                    }
                });
                InputStream in = socket.getInputStream();
                byte[] buffer = new byte[32 * 1024];
                long total = 0;
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    received.update(buffer, 0, n);
                    total += n;
                }
                writer.join();
                boolean same = total == bytes && Arrays.equals(sent.digest(), received.digest());
                (same ? outcomes.ok : outcomes.wrong).incrementAndGet();
            } catch (Exception e) {
                outcomes.failed(e);
            }
        });
        double seconds = (System.nanoTime() - start) / 1e9;
        outcomes.report(figures);
        figures.put("connections", conns);
        figures.put("mibEach", bytes >> 20);
        figures.put("mibPerSecond", Math.round(conns * (bytes >> 20) / seconds));
        return outcomes.clean() && outcomes.ok.get() == conns;
    }

    /** n short connections, conc at once: each sends up to {@code bytes} random bytes, half-closes, gets them all back. */
    private boolean shortEcho() throws Exception {
        long n = option("n", 20_000);
        int conc = (int) option("conc", 128);
        int max = (int) option("bytes", 256 * 1024);
        Outcomes outcomes = new Outcomes();
        runAll(n, conc, i -> {
            SplittableRandom random = new SplittableRandom(i);
            byte[] data = new byte[1 + random.nextInt(max)];
            random.nextBytes(data);
            try (Socket socket = connect()) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        socket.getOutputStream().write(data);
                        socket.shutdownOutput();
                    } catch (IOException e) {
                        outcomes.failed(e);
                    }
                });
                byte[] back = socket.getInputStream().readAllBytes();
                writer.join();
                (Arrays.equals(data, back) ? outcomes.ok : outcomes.wrong).incrementAndGet();
            } catch (Exception e) {
                outcomes.failed(e);
            }
        });
        outcomes.report(figures);
        figures.put("connections", n);
        return outcomes.clean() && outcomes.ok.get() == n;
    }

    /** n short kv connections, conc at once: SET a random binary value, GET it back byte-exact, QUIT. */
    private boolean kv() throws Exception {
        long n = option("n", 20_000);
        int conc = (int) option("conc", 128);
        int max = (int) option("bytes", 64 * 1024);
        Outcomes outcomes = new Outcomes();
        runAll(n, conc, i -> {
            SplittableRandom random = new SplittableRandom(i);
            byte[] value = new byte[random.nextInt(max + 1)];
            random.nextBytes(value);
            byte[] key = ("key:" + i).getBytes(StandardCharsets.US_ASCII);
            try (Socket socket = connect()) {
                OutputStream out = new BufferedOutputStream(socket.getOutputStream());
                InputStream in = new BufferedInputStream(socket.getInputStream());
                Resp.command(out, "SET".getBytes(StandardCharsets.US_ASCII), key, value);
                Resp.command(out, "GET".getBytes(StandardCharsets.US_ASCII), key);
                Resp.command(out, "QUIT".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                boolean same = Arrays.equals(Resp.reply(in), "+OK".getBytes(StandardCharsets.US_ASCII))
                        && Arrays.equals(Resp.reply(in), value)
                        && Arrays.equals(Resp.reply(in), "+OK".getBytes(StandardCharsets.US_ASCII))
                        && in.read() == -1;
                (same ? outcomes.ok : outcomes.wrong).incrementAndGet();
            } catch (Exception e) {
                outcomes.failed(e);
            }
        });
        outcomes.report(figures);
        figures.put("connections", n);
        return outcomes.clean() && outcomes.ok.get() == n;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ------------------------------------------------------------------ slow and stalled clients

    /**
     * conc clients drip a request one byte every 200 ms, in the head or (after a complete head with a
     * 64 MiB Content-Length) in the body. The server (started with --idle-timeout T) must close each
     * within {@code --bound} seconds; the drip stops a second after the bound.
     */
    private boolean slowloris(boolean body) throws Exception {
        int conc = (int) option("conc", 8);
        long bound = option("bound", 10);
        byte[] head = "GET / HTTP/1.1\r\nHost: weft\r\nX-Drip: ".getBytes(StandardCharsets.US_ASCII);
        byte[] bodyHead = "POST / HTTP/1.1\r\nHost: weft\r\nContent-Length: 67108864\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
        AtomicLong closedInBound = new AtomicLong();
        AtomicLong slowest = new AtomicLong();
        runAll(conc, conc, i -> {
            try (Socket socket = connect()) {
                OutputStream out = socket.getOutputStream();
                out.write(body ? bodyHead : Arrays.copyOf(head, 20));
                long start = System.nanoTime();
                AtomicBoolean closed = new AtomicBoolean();
                Thread reader = Thread.ofVirtual().start(() -> {
                    try {
                        socket.getInputStream().readAllBytes(); // a 408, or nothing, then EOF
                    } catch (IOException e) {
                        // a reset also ends the connection
                    }
                    closed.set(true);
                });
                while (!closed.get() && System.nanoTime() - start < TimeUnit.SECONDS.toNanos(bound + 1)) {
                    try {
                        out.write('a');
                    } catch (IOException e) {
                        break;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(200));
                }
                socket.shutdownOutput();
                reader.join(TimeUnit.SECONDS.toMillis(5));
                long took = (System.nanoTime() - start) / 1_000_000;
                slowest.accumulateAndGet(took, Math::max);
                if (closed.get() && took <= bound * 1000) {
                    closedInBound.incrementAndGet();
                }
            }
        });
        figures.put("clients", conc);
        figures.put("closedWithinBound", closedInBound.get() + "/" + conc);
        figures.put("boundS", bound);
        figures.put("slowestMs", slowest.get());
        return closedInBound.get() == conc;
    }

    /** conc echo clients that write {@code bytes} each and never read; the server's RSS must stay bounded. */
    private boolean noRead() throws Exception {
        int conc = (int) option("conc", 8);
        long bytes = option("bytes", 256L << 20);
        long rss0 = server.rssKiB();
        AtomicLong written = new AtomicLong();
        List<Socket> sockets = new ArrayList<>();
        for (int i = 0; i < conc; i++) {
            sockets.add(connect());
        }
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<?>> writers = new ArrayList<>();
            for (Socket socket : sockets) {
                writers.add(threads.submit(() -> {
                    byte[] chunk = new byte[64 * 1024];
                    OutputStream out = socket.getOutputStream();
                    for (long left = bytes; left > 0; left -= chunk.length) {
                        out.write(chunk);
                        written.addAndGet(chunk.length);
                    }
                    return null;
                }));
            }
            // The writers block once the server stops reading; wait until nothing moves for 2 s (at most 60 s).
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            long last = -1;
            while (written.get() != last && System.nanoTime() < deadline) {
                last = written.get();
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
            }
            figures.put("rssKiB", rss0 + "->" + server.rssKiB());
            figures.put("writtenMiB", written.get() >> 20);
            for (Socket socket : sockets) {
                socket.setSoLinger(true, 0);
                socket.close(); // unblocks the writers
            }
            writers.forEach(f -> f.cancel(true));
        }
        long growth = server.peakRssKiB() - rss0;
        figures.put("peakGrowthKiB", growth);
        figures.put("clients", conc);
        // Stalled: far less written than offered, and the server's growth bounded (watermarks, not what was sent).
        return written.get() < (long) conc * bytes && growth < 128 * 1024;
    }

    /** Echo: 1 MiB then a half-close comes back whole, then EOF; http: a request then a half-close is answered. */
    private boolean halfClose() throws Exception {
        byte[] data = new byte[1 << 20];
        new SplittableRandom(7).nextBytes(data);
        boolean echoed;
        try (Socket socket = connect()) {
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    socket.getOutputStream().write(data);
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            echoed = Arrays.equals(socket.getInputStream().readAllBytes(), data);
            writer.join();
        }
        figures.put("echoedWhole", echoed);
        return echoed;
    }

    // ------------------------------------------------------------------ resets

    /**
     * conc keep-alive clients make n requests in all while other clients reset their connections
     * mid-request and mid-response (SO_LINGER 0); the keep-alive clients must lose nothing.
     */
    private boolean resets() throws Exception {
        long n = option("n", 100_000);
        int conc = (int) option("conc", 16);
        Outcomes outcomes = new Outcomes();
        AtomicBoolean running = new AtomicBoolean(true);
        AtomicLong resetsDone = new AtomicLong();
        byte[] pipelined = new byte[0];
        for (int i = 0; i < 200; i++) {
            pipelined = concat(pipelined, Http.get(false));
        }
        byte[] flood = pipelined;
        List<Thread> resetters = new ArrayList<>();
        for (int r = 0; r < 4; r++) {
            int which = r;
            resetters.add(Thread.ofVirtual().start(() -> {
                while (running.get()) {
                    try (Socket socket = connect()) {
                        socket.setSoLinger(true, 0);
                        if (which % 2 == 0) {
                            socket.getOutputStream().write(Http.get(false), 0, 17); // mid-request
                        } else {
                            socket.getOutputStream().write(flood); // mid-response: read a little of 200 answers
                            socket.getInputStream().readNBytes(100);
                        }
                    } catch (IOException e) {
                        // the server may refuse the rude ones; only the others count
                    }
                    resetsDone.incrementAndGet();
                }
            }));
        }
        long perClient = n / conc;
        runAll(conc, conc, i -> {
            try (Socket socket = connect()) {
                OutputStream out = socket.getOutputStream();
                InputStream in = new BufferedInputStream(socket.getInputStream());
                for (long r = 0; r < perClient; r++) {
                    out.write(Http.get(false));
                    served(Http.read(in), outcomes);
                }
            } catch (Exception e) {
                outcomes.failed(e);
            }
        });
        running.set(false);
        for (Thread t : resetters) {
            t.join();
        }
        outcomes.report(figures);
        figures.put("requests", perClient * conc);
        figures.put("resetConnections", resetsDone.get());
        figures.put("serverAlive", server.alive());
        return outcomes.clean() && outcomes.ok.get() == perClient * conc && server.alive();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    // ------------------------------------------------------------------ graceful stop

    /**
     * conc clients pipeline n requests each and read slowly (about 5 000 responses a second, so that
     * much is still queued when the stop comes); once each has read 200 answers the server gets SIGTERM;
     * the clients go on reading, as slowly, to EOF. Every response must be whole and no connection reset:
     * a graceful stop ends each connection at a response boundary (how many were answered is printed).
     */
    private boolean graceful() throws Exception {
        int conc = (int) option("conc", 8);
        long n = option("n", 50_000);
        Outcomes outcomes = new Outcomes();
        CountDownLatch started = new CountDownLatch(conc);
        AtomicLong answered = new AtomicLong();
        AtomicLong stopMillis = new AtomicLong(-1); // SIGTERM to exit; the clients may read on after it (the kernel holds the rest)
        Thread stopper = Thread.ofPlatform().start(() -> {
            try {
                started.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                return;
            }
            long signalled = System.nanoTime();
            ProcessHandle.of(server.pid()).ifPresent(ProcessHandle::destroy); // SIGTERM
            while (server.alive() && System.nanoTime() - signalled < TimeUnit.SECONDS.toNanos(30)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            if (!server.alive()) {
                stopMillis.set((System.nanoTime() - signalled) / 1_000_000);
            }
        });
        long start = System.nanoTime();
        runAll(conc, conc, i -> {
            try (Socket socket = connect()) {
                Thread writer = Thread.ofVirtual().start(() -> {
                    try {
                        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
                        byte[] request = Http.get(false);
                        for (long r = 0; r < n; r++) {
                            out.write(request);
                        }
                        out.flush();
                    } catch (IOException e) {
                        // the server stopped reading: expected once it stops
                    }
                });
                InputStream in = new BufferedInputStream(socket.getInputStream());
                long mine = 0;
                try {
                    while (true) {
                        Http.Response response = Http.read(in);
                        if (response == null) {
                            break;
                        }
                        mine++;
                        if (mine == 200) {
                            started.countDown();
                        }
                        if (mine % 5 == 0) {
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1)); // a slow reader, before and after the stop
                        }
                    }
                    outcomes.ok.incrementAndGet();
                } catch (Exception e) {
                    outcomes.failed(e);
                } finally {
                    if (mine < 200) {
                        started.countDown();
                    }
                    answered.addAndGet(mine);
                    writer.interrupt();
                    writer.join();
                }
            }
        });
        stopper.join();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (server.alive() && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        boolean exited = !server.alive();
        outcomes.report(figures);
        figures.put("clients", conc);
        figures.put("answered", answered.get() + "/" + conc * n);
        figures.put("serverExited", exited);
        figures.put("stopSeconds", stopMillis.get() < 0 ? "none" : String.valueOf(stopMillis.get() / 1000.0));
        figures.put("seconds", Math.round((System.nanoTime() - start) / 1e8) / 10.0);
        return outcomes.clean() && outcomes.ok.get() == conc && exited;
    }

    // ------------------------------------------------------------------ fd exhaustion

    /**
     * The server runs under a small {@code ulimit -n}: open n connections (more than it can accept),
     * hold them, measure its CPU while saturated; release them and check it serves again; then
     * measure its CPU idle over as long. Saturation may cost at most 5 % of a CPU more than idle:
     * a server spinning on EMFILE costs a whole one, while a JVM a few seconds old costs 2-4 % idle
     * (its compilers, the loops' timers, the metrics), which an absolute bound would count.
     */
    private boolean fdExhaustion() throws Exception {
        int n = (int) option("n", 400);
        List<Socket> held = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            try {
                held.add(connect()); // the kernel completes the handshake from the backlog even if accept fails
            } catch (IOException e) {
                break;
            }
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        double cpu = cpuPercentOver(Duration.ofSeconds(3));
        long fdsSaturated = server.fds();
        for (Socket socket : held) {
            socket.close();
        }
        Outcomes outcomes = new Outcomes();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (outcomes.ok.get() < 20 && System.nanoTime() < deadline) {
            oneClosingRequest(outcomes);
        }
        LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(1));
        double idle = cpuPercentOver(Duration.ofSeconds(3));
        figures.put("held", held.size());
        figures.put("serverFds", fdsSaturated);
        figures.put("cpuPercentSaturated", Math.round(cpu * 10) / 10.0);
        figures.put("cpuPercentIdle", Math.round(idle * 10) / 10.0);
        figures.put("servedAfter", outcomes.ok.get() + "/20");
        return cpu - idle <= 5.0 && outcomes.ok.get() >= 20;
    }

    /** The server's CPU (user and system, all threads) over {@code window}, in percent of one CPU. */
    private double cpuPercentOver(Duration window) throws IOException {
        long ticks0 = server.cpuTicks();
        long t0 = System.nanoTime();
        LockSupport.parkNanos(window.toNanos());
        return (server.cpuTicks() - ticks0) / 100.0 / ((System.nanoTime() - t0) / 1e9) * 100;
    }

    // ------------------------------------------------------------------ kv memory bound

    /**
     * conc kv clients each send an MSET of {@code values} values of 64 MiB and leave it unfinished;
     * the server must refuse past its bound, close those connections only, and answer PING throughout.
     */
    private boolean kvFlood() throws Exception {
        int conc = (int) option("conc", 8);
        int values = (int) option("values", 12);
        int size = 64 << 20;
        long rss0 = server.rssKiB();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int c = 0; c < conc; c++) {
                threads.submit(() -> {
                    try (Socket socket = connect()) {
                        OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 1 << 20);
                        out.write(("*" + (1 + 2 * values) + "\r\n$4\r\nMSET\r\n").getBytes(StandardCharsets.US_ASCII));
                        byte[] chunk = new byte[1 << 20];
                        for (int v = 0; v < values; v++) {
                            out.write(("$2\r\nk" + (v % 10) + "\r\n$" + size + "\r\n").getBytes(StandardCharsets.US_ASCII));
                            int count = v == values - 1 ? size / (1 << 20) - 1 : size / (1 << 20); // the last one unfinished
                            for (int m = 0; m < count; m++) {
                                out.write(chunk);
                            }
                            if (v != values - 1) {
                                out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                            }
                        }
                        out.flush();
                        socket.setSoTimeout(5000);
                        socket.getInputStream().read(); // hold the connection open a moment (or read the refusal)
                    }
                    return null;
                });
            }
        }
        long peak = server.peakRssKiB();
        boolean pings = false;
        try (Socket socket = connect()) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            pings = Arrays.equals(Resp.reply(new BufferedInputStream(socket.getInputStream())), "+PONG".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            figures.put("pingError", (e.getClass().getSimpleName() + ":" + e.getMessage()).replace(' ', '_'));
        }
        figures.put("clients", conc);
        figures.put("offeredMiB", (long) conc * values * 64);
        figures.put("rssKiB", rss0 + "->peak" + peak);
        figures.put("servesAfter", pings && server.alive());
        return pings && server.alive() && peak - rss0 < 256 * 1024;
    }
}

package io.weft.bench.harness;

import java.net.InetSocketAddress;

/** A started bench server: where it listens, and how to stop it (tests stop it; the jar never does). */
// A stop joins the server's threads and may be interrupted: close() throwing InterruptedException is intended.
@SuppressWarnings("try")
record Running(InetSocketAddress address, Stopper stopper) implements AutoCloseable {

    /** Stops a server and its threads. */
    interface Stopper {
        void stop() throws Exception;
    }

    @Override
    public void close() throws Exception {
        stopper.stop();
    }
}

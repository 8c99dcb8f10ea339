package io.weft.samples.http;

import io.weft.loop.core.EventLoop;
import io.weft.loop.core.exec.BlockingWork;
import io.weft.loop.core.net.tls.CertificateStore;
import io.weft.loop.core.signal.Signal;
import io.weft.loop.core.signal.SignalHandle;
import io.weft.loop.core.signal.SignalHandler;
import io.weft.samples.ServerOptions.TlsFiles;
import java.io.PrintStream;

/**
 * SIGHUP re-reads the TLS certificate chain and key of {@code --tls-cert} and {@code --tls-key}
 * into the server's {@link CertificateStore}: handshakes that start afterwards present the new
 * certificate, connections already open go on with theirs. The files are read off the loop
 * ({@link BlockingWork}, one reload at a time); a file that cannot be read or parsed leaves the old
 * certificate in place, and the reason goes to stderr. Each outcome is one line.
 */
final class CertificateReload implements SignalHandler {
    private final CertificateStore store;
    private final TlsFiles files;
    private final PrintStream out;
    private final PrintStream err;

    private CertificateReload(CertificateStore store, TlsFiles files, PrintStream out, PrintStream err) {
        this.store = store;
        this.files = files;
        this.out = out;
        this.err = err;
    }

    /**
     * Reloads {@code files} into {@code store} on every SIGHUP, with a signal handle on {@code loop}
     * (opened on its thread; it ends with the loop). Safe from any thread.
     */
    static void onHangup(EventLoop loop, CertificateStore store, TlsFiles files, PrintStream out, PrintStream err) {
        CertificateReload reload = new CertificateReload(store, files, out, err);
        loop.execute(() -> SignalHandle.open(loop, Signal.HUP, reload));
    }

    @Override
    public void onSignal(SignalHandle handle, int count) {
        BlockingWork.of(handle.loop())
                .submitBlocking(this, () -> store.loadPem(files.certificateChain(), files.privateKey()))
                .whenComplete((loaded, failure) -> {
                    if (failure == null) {
                        out.println("weft http: SIGHUP: reloaded the TLS certificate from " + files.certificateChain()
                                + " and " + files.privateKey() + "; new connections present it");
                        out.flush();
                    } else {
                        err.println("weft http: SIGHUP: kept the old TLS certificate: " + failure.getMessage());
                        err.flush();
                    }
                });
    }
}

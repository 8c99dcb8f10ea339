package io.weft.samples.echo;

import io.weft.samples.SampleLauncher;

/**
 * {@code java -jar weft-echo.jar [--port N] [--host H] [--loops N] [--poller NAME]
 * [--idle-timeout SECONDS]}: the sample TCP echo server. See the samples README.
 */
public final class EchoMain {

    private EchoMain() {
    }

    /** Starts the server; exits 2 on a bad command line, 1 if it cannot listen. */
    public static void main(String[] args) {
        int code = SampleLauncher.launch("echo", args, (group, address, options) -> switch (options.style()) {
            case LOOP -> EchoServer.listen(group, address, options.idleTimeout());
            case VTHREADS -> throw new IllegalArgumentException("--style vthreads: the echo sample has no blocking style yet");
        }, System.out, System.err);
        if (code != 0) {
            System.exit(code);
        }
    }
}

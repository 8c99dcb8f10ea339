/**
 * Runnable samples of Weft, each an executable jar: {@code weft-http.jar} (a small HTTP/1.1
 * server, {@link io.weft.samples.http.HttpMain}, callbacks or {@code --style vthreads}, with
 * {@code /metrics}), {@code weft-echo.jar} (a TCP echo server, {@link
 * io.weft.samples.echo.EchoMain}) and {@code weft-kv.jar} (a RESP2 key-value server in blocking
 * style on virtual threads, {@link io.weft.samples.kv.KvMain}). Shared here: the command line and
 * the launcher.
 */
package io.weft.samples;

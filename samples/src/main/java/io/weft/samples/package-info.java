/**
 * Runnable samples of Weft, each an executable jar: {@code weft-http.jar} (a small HTTP/1.1
 * server, {@link io.weft.samples.http.HttpMain}) and {@code weft-echo.jar} (a TCP echo server,
 * {@link io.weft.samples.echo.EchoMain}). Shared here: the command line and the launcher.
 */
package io.weft.samples;

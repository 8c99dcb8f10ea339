package io.weft.loop.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Random;

/**
 * What a hostile or confused client sends a TLS server instead of a good ClientHello, shared by the
 * callback-style and blocking-style TLS contracts. Each call returns a new array.
 */
public final class TlsBadInput {
    private TlsBadInput() {
    }

    /** {@return a plaintext HTTP request, as a client that forgot {@code https} sends} */
    public static byte[] plaintextHttp() {
        return "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
    }

    /** {@return a handshake record header announcing 59 bytes, then 59 bytes of nonsense} */
    public static byte[] garbageClientHello() {
        byte[] garbage = new byte[64];
        new Random(7).nextBytes(garbage);
        garbage[0] = 0x16; // a handshake record, TLS 1.0 header as ClientHellos use it
        garbage[1] = 0x03;
        garbage[2] = 0x01;
        garbage[3] = 0x00;
        garbage[4] = 59;
        return garbage;
    }

    /** {@return the header of a 65535-byte handshake record: past the 16 KiB + 2048 limit} */
    public static byte[] oversizedRecordHeader() {
        return new byte[] {0x16, 0x03, 0x03, (byte) 0xff, (byte) 0xff};
    }

    /** {@return the first bytes of a ClientHello: a client that then resets is one gone mid-handshake} */
    public static byte[] halfAClientHello() {
        return new byte[] {0x16, 0x03, 0x01, 0x02, 0x00, 0x01};
    }
}

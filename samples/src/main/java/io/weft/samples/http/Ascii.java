package io.weft.samples.http;

import java.nio.ByteBuffer;

/** Byte classes and comparisons of RFC 9110 section 5.6, on bytes in place (absolute indexes). */
final class Ascii {
    private static final boolean[] TOKEN = new boolean[256];

    static {
        for (char c = '0'; c <= '9'; c++) {
            TOKEN[c] = true;
        }
        for (char c = 'a'; c <= 'z'; c++) {
            TOKEN[c] = true;
            TOKEN[c - 32] = true;
        }
        for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
            TOKEN[c] = true;
        }
    }

    private Ascii() {
    }

    /** tchar: the bytes of a method or a field name. */
    static boolean isToken(byte b) {
        return TOKEN[b & 0xFF];
    }

    /** A byte allowed in a field value: HTAB, SP, VCHAR or obs-text; no other control byte. */
    static boolean isFieldValueByte(byte b) {
        int c = b & 0xFF;
        return c == '\t' || (c >= 0x20 && c != 0x7F);
    }

    /** A byte allowed in a request target: visible ASCII, no space or control. */
    static boolean isTargetByte(byte b) {
        return b > 0x20 && b < 0x7F;
    }

    static boolean isWhitespace(byte b) {
        return b == ' ' || b == '\t';
    }

    static boolean regionEquals(ByteBuffer buffer, int from, byte[] expected) {
        if (from + expected.length > buffer.limit()) {
            return false;
        }
        for (int i = 0; i < expected.length; i++) {
            if (buffer.get(from + i) != expected[i]) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code [from, to)} equals {@code lowerCase} ignoring ASCII case. */
    static boolean equalsIgnoreCase(ByteBuffer buffer, int from, int to, byte[] lowerCase) {
        if (to - from != lowerCase.length) {
            return false;
        }
        for (int i = 0; i < lowerCase.length; i++) {
            byte b = buffer.get(from + i);
            if (b >= 'A' && b <= 'Z') {
                b += 32;
            }
            if (b != lowerCase[i]) {
                return false;
            }
        }
        return true;
    }

    static int indexOf(ByteBuffer buffer, int from, int to, byte wanted) {
        for (int i = from; i < to; i++) {
            if (buffer.get(i) == wanted) {
                return i;
            }
        }
        return -1;
    }

    static byte[] bytes(String ascii) {
        return ascii.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}

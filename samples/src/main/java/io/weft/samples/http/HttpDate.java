package io.weft.samples.http;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The {@code Date} header line (RFC 9110 section 6.6.1, IMF-fixdate), formatted at most once per
 * second. One per loop thread; not thread-safe.
 */
final class HttpDate {
    private static final DateTimeFormatter IMF_FIXDATE =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'GMT'", Locale.ENGLISH).withZone(ZoneOffset.UTC);
    private static final byte[] PREFIX = Ascii.bytes("Date: ");
    /** "Date: " + 29 bytes of IMF-fixdate (fixed width for years 1000 to 9999) + CRLF. */
    static final int LENGTH = PREFIX.length + 29 + 2;

    private final byte[] line = new byte[LENGTH];
    private long second = Long.MIN_VALUE;

    HttpDate() {
        System.arraycopy(PREFIX, 0, line, 0, PREFIX.length);
        line[LENGTH - 2] = '\r';
        line[LENGTH - 1] = '\n';
    }

    /** The header line, with CRLF, for the wall-clock time {@code epochMillis}; do not modify it. */
    byte[] line(long epochMillis) {
        long now = Math.floorDiv(epochMillis, 1000);
        if (now != second) {
            second = now;
            byte[] date = IMF_FIXDATE.format(Instant.ofEpochSecond(now)).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(date, 0, line, PREFIX.length, Math.min(date.length, 29));
        }
        return line;
    }
}

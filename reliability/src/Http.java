import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/** A minimal HTTP/1.1 response reader for the load clients: the status and how many body bytes came. */
final class Http {
    /** One request for {@code /}, keep-alive, or with {@code Connection: close}. */
    static byte[] get(boolean close) {
        return ("GET / HTTP/1.1\r\nHost: weft\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** A response read whole: its status code. */
    record Response(int status) {}

    private Http() {}

    /**
     * Reads one response (head, then exactly its Content-Length of body).
     *
     * @return the response, or null if the stream ended cleanly before its first byte
     * @throws EOFException if the stream ended inside the response (a truncated response)
     */
    static Response read(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(256);
        int state = 0; // how much of CRLF CRLF has been seen
        while (state < 4) {
            int b = in.read();
            if (b < 0) {
                if (head.size() == 0) {
                    return null;
                }
                throw new EOFException("truncated head after " + head.size() + " bytes");
            }
            head.write(b);
            state = (b == '\r' && (state == 0 || state == 2)) || (b == '\n' && (state == 1 || state == 3)) ? state + 1
                    : b == '\r' ? 1 : 0;
            if (head.size() > 64 * 1024) {
                throw new IOException("response head over 64 KiB");
            }
        }
        String text = head.toString(StandardCharsets.ISO_8859_1);
        if (!text.startsWith("HTTP/1.1 ")) {
            throw new IOException("not an HTTP/1.1 response: " + text.lines().findFirst().orElse(""));
        }
        int status = Integer.parseInt(text.substring(9, 12));
        long length = 0;
        for (String line : text.split("\r\n")) {
            if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
                length = Long.parseLong(line.substring(15).strip());
            }
        }
        byte[] scratch = new byte[(int) Math.min(length, 8192)];
        for (long read = 0; read < length; ) {
            int n = in.read(scratch, 0, (int) Math.min(scratch.length, length - read));
            if (n < 0) {
                throw new EOFException("truncated body: " + read + " of " + length + " bytes");
            }
            read += n;
        }
        return new Response(status);
    }
}

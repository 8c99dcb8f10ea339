import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/** A minimal RESP2 client side for the kv scenarios: commands as multibulk arrays, single replies. */
final class Resp {
    private Resp() {}

    /** Writes one command as a multibulk array of bulk strings (binary-safe). */
    static void command(OutputStream out, byte[]... args) throws IOException {
        out.write(("*" + args.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
        for (byte[] arg : args) {
            out.write(("$" + arg.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(arg);
            out.write('\r');
            out.write('\n');
        }
    }

    /**
     * One reply: a bulk string's bytes, null for a nil, or a status/error/integer line as sent
     * ({@code +OK}, {@code -ERR ...}, {@code :1}) without its CRLF.
     *
     * @throws EOFException if the stream ends inside the reply
     */
    static byte[] reply(InputStream in) throws IOException {
        byte[] line = line(in);
        if (line.length == 0 || line[0] != '$') {
            return line;
        }
        int length = Integer.parseInt(new String(line, 1, line.length - 1, StandardCharsets.US_ASCII));
        if (length < 0) {
            return null;
        }
        byte[] value = in.readNBytes(length);
        if (value.length < length || in.read() != '\r' || in.read() != '\n') {
            throw new EOFException("truncated bulk reply: " + value.length + " of " + length + " bytes");
        }
        return value;
    }

    private static byte[] line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(32);
        for (int b; (b = in.read()) != '\n'; ) {
            if (b < 0) {
                throw new EOFException(line.size() == 0 ? "closed without a reply" : "truncated reply line");
            }
            if (b != '\r') {
                line.write(b);
            }
        }
        return line.toByteArray();
    }
}

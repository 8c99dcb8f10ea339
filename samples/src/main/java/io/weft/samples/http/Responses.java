package io.weft.samples.http;

/** The canned responses of the sample: its one page, and each error the server answers itself. */
final class Responses {
    static final CannedResponse HELLO = CannedResponse.of(200, "OK", "text/plain", "Hello, World!");
    static final CannedResponse NOT_FOUND = error(404, "Not Found");
    static final CannedResponse GET_OR_HEAD_ONLY =
            CannedResponse.of(405, "Method Not Allowed", "text/plain", "Method Not Allowed\n", "Allow: GET, HEAD");

    private static final CannedResponse BAD_REQUEST = error(400, "Bad Request");
    private static final CannedResponse REQUEST_TIMEOUT = error(408, "Request Timeout");
    private static final CannedResponse CONTENT_TOO_LARGE = error(413, "Content Too Large");
    private static final CannedResponse URI_TOO_LONG = error(414, "URI Too Long");
    private static final CannedResponse HEADERS_TOO_LARGE = error(431, "Request Header Fields Too Large");
    private static final CannedResponse INTERNAL_ERROR = error(500, "Internal Server Error");
    private static final CannedResponse NOT_IMPLEMENTED = error(501, "Not Implemented");
    private static final CannedResponse VERSION_NOT_SUPPORTED = error(505, "HTTP Version Not Supported");

    private Responses() {
    }

    /** The canned answer to a request the server refuses with {@code status}. */
    static CannedResponse forError(int status) {
        return switch (status) {
            case 400 -> BAD_REQUEST;
            case 404 -> NOT_FOUND;
            case 408 -> REQUEST_TIMEOUT;
            case 413 -> CONTENT_TOO_LARGE;
            case 414 -> URI_TOO_LONG;
            case 431 -> HEADERS_TOO_LARGE;
            case 501 -> NOT_IMPLEMENTED;
            case 505 -> VERSION_NOT_SUPPORTED;
            default -> INTERNAL_ERROR;
        };
    }

    private static CannedResponse error(int status, String reason) {
        return CannedResponse.of(status, reason, "text/plain", reason + "\n");
    }
}

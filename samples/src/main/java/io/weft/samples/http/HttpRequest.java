package io.weft.samples.http;

/**
 * What a {@link Route} learns of a parsed request: method, version, and whether the connection
 * stays open after it. A view of the parser's state, valid only during {@link Route#respond}.
 */
public interface HttpRequest {

    /** The method, one of {@link Method}. */
    Method method();

    /** The minor HTTP version: 0 for HTTP/1.0, 1 for HTTP/1.1 (and later 1.x). */
    int minorVersion();

    /**
     * The query: what follows the first {@code ?} of the request target, as sent (not decoded);
     * empty if there is none. A request with a query allocates this string; one without, nothing.
     */
    String query();

    /** Whether the connection stays open after this request's response. */
    boolean keepAlive();

    /** The request methods the sample tells apart; everything else is {@link #OTHER}. */
    enum Method {
        /** GET. */
        GET,
        /** HEAD: answered like GET, without a body. */
        HEAD,
        /** POST. */
        POST,
        /** Any other method token. */
        OTHER
    }
}

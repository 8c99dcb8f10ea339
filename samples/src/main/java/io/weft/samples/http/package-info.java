/** The sample HTTP/1.1 server: an in-place request parser, canned responses, routes. */
package io.weft.samples.http;

package io.weft.samples.http;

/** {@code /}: {@code Hello, World!} for GET and HEAD, 405 with {@code Allow} for other methods. */
final class HelloRoute implements Route {

    @Override
    public void respond(HttpRequest request, Responder responder) {
        switch (request.method()) {
            case GET, HEAD -> responder.send(Responses.HELLO);
            default -> responder.send(Responses.GET_OR_HEAD_ONLY);
        }
    }
}

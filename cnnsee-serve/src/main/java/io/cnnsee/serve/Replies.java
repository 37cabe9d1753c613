package io.cnnsee.serve;

import io.cnnsee.explore.Json;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/** The server's answers: a body of a type, never cached; errors as {@code {"error": "..."}}, which the page shows. */
final class Replies {

    private Replies() {
    }

    static boolean json(Response response, Callback callback, int status, String json) {
        return send(response, callback, status, "application/json; charset=utf-8", json.getBytes(StandardCharsets.UTF_8));
    }

    static boolean error(Response response, Callback callback, int status, String message) {
        return json(response, callback, status, new Json().object().name("error").value(message).end().toString());
    }

    static boolean refused(Response response, Callback callback, Refused refused) {
        if (refused.retryAfterSeconds() > 0) {
            response.getHeaders().put(HttpHeader.RETRY_AFTER, refused.retryAfterSeconds());
        }
        return error(response, callback, refused.status(), refused.getMessage());
    }

    static boolean send(Response response, Callback callback, int status, String type, byte[] body) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, ByteBuffer.wrap(body), callback);
        return true;
    }
}

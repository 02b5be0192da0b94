package io.resh.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** A complete HTTP answer from a route: status, content type, body and extra headers. */
record HttpReply(HttpResponseStatus status, String contentType, byte[] body, Map<String, String> headers) {
    static final String JSON = "application/json; charset=utf-8";

    static HttpReply json(ObjectMapper mapper, HttpResponseStatus status, JsonNode body) {
        try {
            return new HttpReply(status, JSON, mapper.writerWithDefaultPrettyPrinter().writeValueAsBytes(body), Map.of());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
    }

    /** {"error": message}: every failure a client gets says what was wrong in one line. */
    static HttpReply error(HttpResponseStatus status, String message) {
        String body = "{\"error\":" + quote(message) + "}\n";
        return new HttpReply(status, JSON, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    static HttpReply text(HttpResponseStatus status, String contentType, String body) {
        return new HttpReply(status, contentType, body.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }
}

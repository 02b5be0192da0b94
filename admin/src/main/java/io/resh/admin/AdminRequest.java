package io.resh.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.resh.core.GroupEvent;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A decoded, authenticated API request, detached from Netty's reference-counted buffers so routes can
 * finish it on another thread.
 *
 * @param method HTTP method
 * @param path the path as sent, still percent-encoded, without the query
 * @param segments the path's segments, decoded, the first being "" (the path starts with '/')
 * @param query decoded query parameters
 * @param body request body bytes (empty for none)
 * @param remote who sent it, for the audit log
 */
record AdminRequest(HttpMethod method, String path, List<String> segments, Map<String, List<String>> query, byte[] body,
                    String remote) {

    /**
     * The segments of {@code rawPath}, split at '/' before each is decoded: decoded first, a "%2F" in a group's name
     * would split it, and "/api/groups/kv%2Fcheckpoint" would reach group kv's checkpoint route. Trailing slashes
     * are ignored.
     *
     * @throws IllegalArgumentException for a malformed escape
     */
    static List<String> segments(String rawPath) {
        return java.util.Arrays.stream(rawPath.replaceAll("/+$", "").split("/", -1))
                // '+' is a space only in a query; in a path it is itself
                .map(s -> QueryStringDecoder.decodeComponent(s.replace("+", "%2B"), StandardCharsets.UTF_8))
                .toList();
    }

    /** The first value of query parameter {@code name}, or {@code fallback}. */
    String param(String name, String fallback) {
        List<String> v = query.get(name);
        return v == null || v.isEmpty() ? fallback : v.get(0);
    }

    /**
     * The event types query parameter {@code type} names, comma-separated or repeated ({@code type=fault,recovered}),
     * or null without one: every type.
     */
    Set<String> eventTypes() {
        List<String> v = query.get("type");
        if (v == null) {
            return null;
        }
        try {
            return GroupEvent.parseTypes(String.join(",", v));
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("query parameter 'type': " + e.getMessage());
        }
    }

    /** An integer query parameter within {@code [min, max]}. */
    int intParam(String name, int fallback, int min, int max) {
        String v = param(name, null);
        if (v == null) {
            return fallback;
        }
        try {
            int n = Integer.parseInt(v.trim());
            if (n < min || n > max) {
                throw new BadRequestException("query parameter '" + name + "' must be between " + min + " and " + max + ", got " + n);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new BadRequestException("query parameter '" + name + "' must be a whole number, got '" + v + "'");
        }
    }
}

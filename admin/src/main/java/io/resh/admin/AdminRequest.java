package io.resh.admin;

import io.netty.handler.codec.http.HttpMethod;
import io.resh.core.GroupEvent;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A decoded, authenticated API request, detached from Netty's reference-counted buffers so routes can
 * finish it on another thread.
 *
 * @param method HTTP method
 * @param path decoded path without the query
 * @param query decoded query parameters
 * @param body request body bytes (empty for none)
 * @param remote who sent it, for the audit log
 */
record AdminRequest(HttpMethod method, String path, Map<String, List<String>> query, byte[] body, String remote) {

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

package io.resh.admin;

import static io.netty.handler.codec.http.HttpResponseStatus.METHOD_NOT_ALLOWED;

import io.netty.handler.codec.http.HttpMethod;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Every route of the admin API behind the token, as docs/OBSERVABILITY.md lists them. Requests are dispatched
 * through this list alone, so a route cannot be served without being listed here, nor listed without being
 * served. A {@code {name}} segment matches any one segment.
 */
enum AdminEndpoint {
    GROUPS(HttpMethod.GET, "/api/groups"),
    GROUP(HttpMethod.GET, "/api/groups/{group}"),
    EVENTS(HttpMethod.GET, "/api/events"),
    /** Opened by {@link AdminHandler} itself: a stream stays on its connection. */
    EVENT_STREAM(HttpMethod.GET, "/api/events/stream"),
    SERIES(HttpMethod.GET, "/api/series"),
    FAULTS(HttpMethod.GET, "/api/faults"),
    GATEWAYS(HttpMethod.GET, "/api/gateways"),
    GATEWAY(HttpMethod.GET, "/api/gateways/{group}"),
    INJECT(HttpMethod.POST, "/api/groups/{group}/inject"),
    RESTART(HttpMethod.POST, "/api/groups/{group}/replicas/{i}/restart"),
    CHECKPOINT(HttpMethod.POST, "/api/groups/{group}/checkpoint"),
    REJUVENATION(HttpMethod.PUT, "/api/groups/{group}/rejuvenation"),
    CLUSTER(HttpMethod.GET, "/api/cluster"),
    ADD_PEER(HttpMethod.POST, "/api/cluster/peers"),
    REMOVE_PEER(HttpMethod.DELETE, "/api/cluster/peers/{id}"),
    LEADER(HttpMethod.POST, "/api/cluster/leader"),
    METRICS(HttpMethod.GET, "/metrics");

    private final HttpMethod method;
    private final String path;
    private final List<String> segments;

    AdminEndpoint(HttpMethod method, String path) {
        this.method = method;
        this.path = path;
        this.segments = List.of(path.split("/", -1));
    }

    HttpMethod method() {
        return method;
    }

    /** The path pattern, e.g. {@code /api/groups/{group}/inject}. */
    String path() {
        return path;
    }

    /** True if {@code segments} ({@link AdminRequest#segments}) is a path of this endpoint, whatever the method. */
    boolean matches(List<String> segments) {
        if (segments.size() != this.segments.size()) {
            return false;
        }
        for (int i = 0; i < segments.size(); i++) {
            String s = this.segments.get(i);
            if (!(s.startsWith("{") && s.endsWith("}")) && !s.equals(segments.get(i))) {
                return false;
            }
        }
        return true;
    }

    /** The endpoints whose path pattern {@code segments} matches; empty for a path the API does not have. */
    static List<AdminEndpoint> at(List<String> segments) {
        return Arrays.stream(values()).filter(e -> e.matches(segments)).toList();
    }

    /**
     * Which of {@code atPath} (the endpoints of one path) {@code req} calls.
     *
     * @throws BadRequestException 405 naming the methods the path takes, when none is the request's
     */
    static AdminEndpoint of(List<AdminEndpoint> atPath, AdminRequest req) {
        return atPath.stream().filter(e -> e.method.equals(req.method())).findFirst()
                .orElseThrow(() -> new BadRequestException(METHOD_NOT_ALLOWED, req.path() + " takes "
                        + atPath.stream().map(e -> e.method.name()).collect(Collectors.joining(" or "))
                        + ", not " + req.method().name()));
    }
}

package io.resh.admin;

import static io.netty.handler.codec.http.HttpResponseStatus.BAD_REQUEST;
import static io.netty.handler.codec.http.HttpResponseStatus.CONFLICT;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;
import static io.netty.handler.codec.http.HttpResponseStatus.SERVICE_UNAVAILABLE;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster routes of the admin API ({@code /api/cluster}, its peers and its leader in {@link AdminEndpoint}), for
 * a host of a resh cluster. {@link AdminRoutes} calls {@link #requireMembership} before any of them.
 *
 * Every call runs on the {@code actions} executor: the status reads the local group and a membership
 * change waits for Raft to commit the new configuration.
 */
final class ClusterRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRoutes.class);
    private static final Pattern PEER_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern HOST_PORT = Pattern.compile(".+:[0-9]{1,5}");

    private final ClusterMembership membership;
    private final ObjectMapper json;
    private final Executor actions;

    /** @param membership null when this server does not run on a cluster host */
    ClusterRoutes(ClusterMembership membership, ObjectMapper json, Executor actions) {
        this.membership = membership;
        this.json = json;
        this.actions = actions;
    }

    /**
     * Checks that the cluster routes apply here.
     *
     * @throws BadRequestException 404 when this server does not run on a cluster host
     */
    void requireMembership(AdminRequest req) {
        if (membership == null) {
            throw new BadRequestException(NOT_FOUND, "this admin server does not run on a cluster host"
                    + " (its config has no cluster: section), so " + req.path() + " does not apply");
        }
    }

    /** This host's view: role, leader, term, indices, members, local group. */
    CompletableFuture<HttpReply> status() {
        return run(() -> HttpReply.json(json, OK, view()), "read the cluster status");
    }

    /** Adds the host {@code body} describes ({@code id}, {@code address}, {@code client}). */
    CompletableFuture<HttpReply> add(AdminRequest req, JsonNode body) {
        String id = field(body, "id", "the new host's peer id (1-64 letters, digits, '-' or '_')");
        if (!PEER_ID.matcher(id).matches()) {
            throw new BadRequestException("\"id\" must be 1-64 letters, digits, '-' or '_', got '" + id + "'");
        }
        String address = hostPort(body, "address", "host:port of the new host's Raft server");
        String client = hostPort(body, "client", "host:port of the new host's client front door");
        LOG.info("admin: {} asks to add host {} (Raft {}, clients {})", req.remote(), id, address, client);
        return run(() -> {
            membership.addPeer(id, address, client);
            return changed("added", id);
        }, "add host " + id);
    }

    /** Removes host {@code id}, named by the path. */
    CompletableFuture<HttpReply> remove(AdminRequest req, String id) {
        if (!PEER_ID.matcher(id).matches()) {
            throw new BadRequestException("the peer id in the path must be 1-64 letters, digits, '-' or '_', got '"
                    + id + "'");
        }
        LOG.info("admin: {} asks to remove host {}", req.remote(), id);
        return run(() -> {
            membership.removePeer(id);
            return changed("removed", id);
        }, "remove host " + id);
    }

    /** Hands the leader role to the member {@code body} names ({@code id}). */
    CompletableFuture<HttpReply> transfer(AdminRequest req, JsonNode body) {
        String id = field(body, "id", "the peer id of the member that should lead");
        if (!PEER_ID.matcher(id).matches()) {
            throw new BadRequestException("\"id\" must be 1-64 letters, digits, '-' or '_', got '" + id + "'");
        }
        LOG.info("admin: {} asks to hand the leadership to {}", req.remote(), id);
        return run(() -> {
            membership.transferLeadership(id);
            return changed("leader", id);
        }, "hand the leadership to " + id);
    }

    /** The outcome of a committed change, with the members as this host now sees them. */
    private HttpReply changed(String what, String id) {
        ObjectNode out = json.createObjectNode();
        out.put("status", what);
        out.put("id", id);
        try {
            JsonNode peers = view().path("peers");
            out.set("peers", peers.isMissingNode() ? json.createArrayNode() : peers);
        } catch (RuntimeException e) {
            // The change is committed; only the read-back failed, so say so instead of failing the call.
            out.putArray("peers");
            out.put("detail", "committed, but this host cannot show the members now: " + e.getMessage());
        }
        return HttpReply.json(json, OK, out);
    }

    private JsonNode view() {
        try {
            return json.readTree(membership.statusJson());
        } catch (IOException e) {
            throw new UncheckedIOException("the cluster status is not JSON: " + e.getMessage(), e);
        }
    }

    /** Runs {@code call} on an action thread and answers a failure as the {@link ClusterMembership} contract says. */
    private CompletableFuture<HttpReply> run(Supplier<HttpReply> call, String what) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return call.get();
            } catch (IllegalArgumentException e) {
                return HttpReply.error(BAD_REQUEST, "cannot " + what + ": " + e.getMessage());
            } catch (IllegalStateException e) {
                return HttpReply.error(CONFLICT, "cannot " + what + ": " + e.getMessage());
            } catch (RuntimeException e) {
                LOG.warn("admin: cannot {}: {}", what, e.toString());
                return HttpReply.error(SERVICE_UNAVAILABLE, "cannot " + what + ": " + e.getMessage());
            }
        }, actions);
    }

    private static String field(JsonNode body, String name, String meaning) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            throw new BadRequestException("body needs \"" + name + "\": " + meaning);
        }
        if (!v.isTextual() || v.asText().isBlank()) {
            throw new BadRequestException("\"" + name + "\" must be a non-empty string: " + meaning + ", got " + v);
        }
        return v.asText().trim();
    }

    private static String hostPort(JsonNode body, String name, String meaning) {
        String v = field(body, name, meaning);
        if (!HOST_PORT.matcher(v).matches()) {
            throw new BadRequestException("\"" + name + "\" must be " + meaning + ", got '" + v + "'");
        }
        int port = Integer.parseInt(v.substring(v.lastIndexOf(':') + 1));
        if (port < 1 || port > 65535) {
            throw new BadRequestException("\"" + name + "\": port out of range 1-65535 in '" + v + "'");
        }
        return v;
    }
}

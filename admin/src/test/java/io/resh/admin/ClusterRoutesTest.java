package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code /api/cluster} routes against an in-memory {@link ClusterMembership} that keeps a member list
 * and follows the interface's failure contract; the real cluster host is tested in the cli module.
 */
class ClusterRoutesTest {
    @TempDir
    Path dir;

    private final Members members = new Members();
    private AdminServer admin;
    private AdminCalls calls;

    /** A member list that behaves as the contract says: 409 cases as IllegalStateException, failures otherwise. */
    private static final class Members implements ClusterMembership {
        final List<String> ids = new ArrayList<>(List.of("h1", "h2"));
        volatile boolean noMajority;

        @Override
        public synchronized String statusJson() {
            StringBuilder peers = new StringBuilder();
            for (String id : ids) {
                peers.append(peers.length() == 0 ? "" : ",").append("{\"id\":\"").append(id)
                        .append("\",\"address\":\"127.0.0.1:1\",\"client\":\"127.0.0.1:2\"}");
            }
            return "{\"id\":\"h1\",\"role\":\"LEADER\",\"leader\":\"h1\",\"term\":3,\"commitIndex\":10,"
                    + "\"appliedIndex\":10,\"snapshotIndex\":-1,\"appliedRequests\":7,\"peers\":[" + peers + "]}";
        }

        @Override
        public synchronized void addPeer(String id, String address, String client) {
            if (ids.contains(id)) {
                throw new IllegalStateException("peer " + id + " is already a member");
            }
            if (noMajority) {
                throw new RuntimeException("membership change (add " + id + ") failed: no majority");
            }
            ids.add(id);
        }

        String leader = "h1";

        @Override
        public synchronized void transferLeadership(String id) {
            if (!ids.contains(id)) {
                throw new IllegalStateException("peer " + id + " is not a member; members: " + ids);
            }
            leader = id;
        }

        @Override
        public synchronized void removePeer(String id) {
            if (!ids.contains(id)) {
                throw new IllegalStateException("peer " + id + " is not a member; members: " + ids);
            }
            ids.remove(id);
        }
    }

    @BeforeEach
    void start() {
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(), members);
        calls = new AdminCalls(admin);
    }

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
    }

    private static List<String> ids(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.get("id").asText()));
        return out;
    }

    @Test
    void shouldAnswerTheStatusOfThisHost() {
        JsonNode s = calls.json("/api/cluster");

        assertThat(s.get("leader").asText()).isEqualTo("h1");
        assertThat(s.get("term").asLong()).isEqualTo(3);
        assertThat(ids(s.get("peers"))).containsExactly("h1", "h2");
    }

    @Test
    void shouldAddAndRemoveAPeerAndAnswerTheNewMembers() {
        HttpResponse<String> added = calls.send("POST", "/api/cluster/peers",
                "{\"id\":\"h3\",\"address\":\"127.0.0.1:7503\",\"client\":\"127.0.0.1:7403\"}");
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        assertThat(AdminCalls.parse(added.body()).get("status").asText()).isEqualTo("added");
        assertThat(ids(AdminCalls.parse(added.body()).get("peers"))).containsExactly("h1", "h2", "h3");

        HttpResponse<String> removed = calls.send("DELETE", "/api/cluster/peers/h2", null);
        assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
        assertThat(ids(AdminCalls.parse(removed.body()).get("peers"))).containsExactly("h1", "h3");
        assertThat(ids(calls.json("/api/cluster").get("peers"))).containsExactly("h1", "h3");
    }

    @Test
    void shouldAnswer400NamingTheFieldOfABadBody() {
        assertThat(error("POST", "/api/cluster/peers", "{\"address\":\"127.0.0.1:7503\",\"client\":\"127.0.0.1:7403\"}", 400))
                .contains("\"id\"");
        assertThat(error("POST", "/api/cluster/peers", "{\"id\":\"h3\",\"address\":\"nowhere\",\"client\":\"127.0.0.1:7403\"}", 400))
                .contains("\"address\"").contains("nowhere");
        assertThat(error("POST", "/api/cluster/peers", "{\"id\":\"h3\",\"address\":\"127.0.0.1:7503\",\"client\":\"127.0.0.1:99999\"}", 400))
                .contains("\"client\"").contains("out of range");
        assertThat(error("POST", "/api/cluster/peers", "{\"id\":\"h 3\",\"address\":\"127.0.0.1:7503\",\"client\":\"127.0.0.1:7403\"}", 400))
                .contains("\"id\"");
        assertThat(error("POST", "/api/cluster/peers", "{\"id\":", 400)).contains("not valid JSON");
        assertThat(error("POST", "/api/cluster/peers", null, 400)).contains("needs a JSON body");
        assertThat(members.ids).containsExactly("h1", "h2");
    }

    /** A misspelt field was ignored: {"id":"h3","adress":…} failed on "address", {"id":"h2","force":true} went ahead. */
    @Test
    void shouldAnswer400NamingAFieldTheCallDoesNotTake() {
        assertThat(error("POST", "/api/cluster/peers",
                "{\"id\":\"h3\",\"address\":\"127.0.0.1:7503\",\"client\":\"127.0.0.1:7403\",\"voter\":false}", 400))
                .isEqualTo("unknown field \"voter\" in the body; this call takes \"id\", \"address\", \"client\"");
        assertThat(error("POST", "/api/cluster/leader", "{\"id\":\"h2\",\"force\":true}", 400))
                .isEqualTo("unknown field \"force\" in the body; this call takes \"id\"");
        assertThat(members.ids).containsExactly("h1", "h2");
        assertThat(members.leader).isEqualTo("h1");
    }

    @Test
    void shouldAnswer409ForAMemberAlreadyInOrNotIn() {
        assertThat(error("POST", "/api/cluster/peers", "{\"id\":\"h2\",\"address\":\"127.0.0.1:7502\",\"client\":\"127.0.0.1:7402\"}", 409))
                .contains("already a member");
        assertThat(error("DELETE", "/api/cluster/peers/h9", null, 409)).contains("not a member");
    }

    @Test
    void shouldAnswer503WhenTheReconfigurationFails() {
        members.noMajority = true;

        assertThat(error("POST", "/api/cluster/peers", "{\"id\":\"h3\",\"address\":\"127.0.0.1:7503\",\"client\":\"127.0.0.1:7403\"}", 503))
                .contains("no majority");
    }

    @Test
    void shouldAnswer405ForAWrongMethodAnd401WithoutTheToken() {
        assertThat(error("PUT", "/api/cluster", null, 405)).contains("takes GET");
        assertThat(calls.send("GET", "/api/cluster", null, null).statusCode()).isEqualTo(401);
        assertThat(calls.send("DELETE", "/api/cluster/peers/h2", null, "Bearer wrong").statusCode()).isEqualTo(401);
        assertThat(members.ids).containsExactly("h1", "h2");
    }

    @Test
    void shouldAnswer404OnAServerOutsideACluster() {
        admin.close();
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of());
        calls = new AdminCalls(admin);

        assertThat(error("GET", "/api/cluster", null, 404)).contains("does not run on a cluster host");
        assertThat(error("POST", "/api/cluster/peers", "{}", 404)).contains("does not run on a cluster host");
    }

    private String error(String method, String path, String body, int status) {
        HttpResponse<String> r = calls.send(method, path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return AdminCalls.parse(r.body()).get("error").asText();
    }
}

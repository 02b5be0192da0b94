package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resh.admin.AdminServer;
import io.resh.cluster.ClusterNode;
import io.resh.cluster.ClusterPeer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's cluster routes on two real cluster hosts in this JVM, plus a third that joins. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeMembershipTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private LoopbackCluster cluster;
    private List<ClusterPeer> peers;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        cluster = new LoopbackCluster(dir);
        peers = List.of(LoopbackCluster.peer("h1"), LoopbackCluster.peer("h2"));
        cluster.startAll(peers);
        awaitLeader("h1", "h2");
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private HttpResponse<String> send(String host, String method, String path, String body) {
        AdminServer admin = cluster.admin(host);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin.url() + path.substring(1)))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + admin.token())
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode parse(HttpResponse<String> r) {
        try {
            return JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + r.body(), e);
        }
    }

    private JsonNode status(String host) {
        HttpResponse<String> r = send(host, "GET", "/api/cluster", null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return parse(r);
    }

    private static List<String> ids(JsonNode peerArray) {
        List<String> out = new ArrayList<>();
        peerArray.forEach(p -> out.add(p.get("id").asText()));
        return out;
    }

    /** Until every host named reports the same, non-empty leader in the same term. */
    private void awaitLeader(String... hosts) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode first = status(hosts[0]);
            assertThat(first.get("leader").asText()).isNotEmpty();
            for (String h : hosts) {
                JsonNode s = status(h);
                assertThat(s.get("leader").asText()).as(h).isEqualTo(first.get("leader").asText());
                assertThat(s.get("term").asLong()).as(h).isEqualTo(first.get("term").asLong());
            }
        });
    }

    private String error(String host, String method, String path, String body, int status) {
        HttpResponse<String> r = send(host, method, path, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        return parse(r).get("error").asText();
    }

    @Test
    void shouldShowTheSameLeaderAndTermOnEveryHostAndItsLocalGroup() {
        JsonNode h1 = status("h1");
        JsonNode h2 = status("h2");

        assertThat(h1.get("id").asText()).isEqualTo("h1");
        assertThat(h2.get("leader").asText()).isEqualTo(h1.get("leader").asText()).isIn("h1", "h2");
        assertThat(h2.get("term").asLong()).isEqualTo(h1.get("term").asLong()).isPositive();
        assertThat(ids(h1.get("peers"))).containsExactlyInAnyOrder("h1", "h2");
        assertThat(h1.at("/group/replicaStates")).hasSize(3);
        HttpResponse<String> groups = send("h1", "GET", "/api/groups", null);
        assertThat(parse(groups).get(0).get("name").asText()).isEqualTo("c-h1");
    }

    @Test
    void shouldAddAJoiningHostThatCatchesUpAndRemoveIt() {
        ClusterNode h1 = cluster.node("h1");
        long before = status("h1").get("appliedRequests").asLong();
        for (int i = 0; i < 30; i++) {
            h1.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        ClusterPeer p3 = LoopbackCluster.peer("h3");
        List<ClusterPeer> all = new ArrayList<>(peers);
        all.add(p3);
        cluster.start(p3, all, true);
        try {
            HttpResponse<String> added = send("h2", "POST", "/api/cluster/peers", "{\"id\":\"h3\",\"address\":\""
                    + p3.raftAddress() + "\",\"client\":\"" + p3.clientAddress() + "\"}");

            assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
            assertThat(parse(added).get("status").asText()).isEqualTo("added");
            assertThat(ids(parse(added).get("peers"))).containsExactlyInAnyOrder("h1", "h2", "h3");
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(status("h3").get("appliedRequests").asLong()).isEqualTo(before + 30));
            h1.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(status("h3").get("appliedRequests").asLong()).isEqualTo(before + 31));
            // h3 restarted its group from the leader's snapshot; its admin watches the new one. That snapshot may
            // already hold the request above (then the new group executed none): each look sends one more.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                JsonNode g = parse(send("h3", "GET", "/api/groups/c-h3", null));
                assertThat(g.get("state").asText()).isEqualTo("serving");
                if (g.at("/counters/requests").asLong() == 0) {
                    h1.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
                }
                assertThat(g.at("/counters/requests").asLong()).as(g.toString()).isPositive();
            });
            awaitLeader("h1", "h2", "h3");
            assertThat(error("h1", "POST", "/api/cluster/peers", "{\"id\":\"h3\",\"address\":\"" + p3.raftAddress()
                    + "\",\"client\":\"" + p3.clientAddress() + "\"}", 409)).contains("h3 is already a member");

            HttpResponse<String> removed = send("h1", "DELETE", "/api/cluster/peers/h3", null);

            assertThat(removed.statusCode()).as(removed.body()).isEqualTo(200);
            assertThat(ids(parse(removed).get("peers"))).containsExactlyInAnyOrder("h1", "h2");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                    assertThat(ids(status("h2").get("peers"))).containsExactlyInAnyOrder("h1", "h2"));
            assertThat(error("h2", "DELETE", "/api/cluster/peers/h3", null, 409)).contains("h3 is not a member");
            // Ratis stops h3 once it learns of its removal, and h3 tells that from being stopped while a member.
            ClusterNode h3 = cluster.node("h3");
            await().atMost(Duration.ofSeconds(20)).until(h3::removedFromCluster);
        } finally {
            cluster.stop("h3");
        }
    }

    @Test
    void shouldHandTheLeaderRoleToTheOtherHost() {
        awaitLeader("h1", "h2");
        String leader = status("h1").get("leader").asText();
        String other = leader.equals("h1") ? "h2" : "h1";

        HttpResponse<String> moved = send(other, "POST", "/api/cluster/leader", "{\"id\":\"" + other + "\"}");

        assertThat(moved.statusCode()).as(moved.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(status("h1").get("leader").asText()).isEqualTo(other);
            assertThat(status("h2").get("leader").asText()).isEqualTo(other);
        });
        assertThat(error("h1", "POST", "/api/cluster/leader", "{\"id\":\"h9\"}", 409)).contains("h9 is not a member");
        assertThat(error("h1", "POST", "/api/cluster/leader", "{}", 400)).contains("\"id\"");
    }

    /** Adding a host at a member's address was tried for seconds and answered 503 "not committed". */
    @Test
    void shouldAnswer409AtOnceForANewHostAtAMembersAddress() {
        ClusterPeer h2 = peers.get(1);
        long started = System.nanoTime();

        String raft = error("h1", "POST", "/api/cluster/peers", "{\"id\":\"h7\",\"address\":\"" + h2.raftAddress()
                + "\",\"client\":\"127.0.0.1:1\"}", 409);
        String client = error("h1", "POST", "/api/cluster/peers", "{\"id\":\"h7\",\"address\":\"127.0.0.1:1\","
                + "\"client\":\"" + h2.clientAddress() + "\"}", 409);

        assertThat(raft).contains("cannot add host h7: its address " + h2.raftAddress() + " is h2's address");
        assertThat(client).contains("cannot add host h7: its client " + h2.clientAddress() + " is h2's client");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).as("refused before Raft is asked").isLessThan(Duration.ofSeconds(4));
        assertThat(ids(status("h1").get("peers"))).containsExactlyInAnyOrder("h1", "h2");
    }

    /** Said "cannot remove host h1: cannot remove h1: it is the last member". */
    @Test
    void shouldSayOnceWhyTheLastMemberCannotBeRemoved(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        try (LoopbackCluster alone = new LoopbackCluster(dir)) {
            ClusterPeer h1 = LoopbackCluster.peer("h1");
            ClusterNode node = alone.start(h1, List.of(h1), false);
            await().atMost(Duration.ofSeconds(30)).until(() -> node.status().leading());
            assertThatThrownBy(() -> new NodeMembership(node).removePeer("h1"))
                    .isInstanceOf(IllegalStateException.class).hasMessage("it is the last member");
            assertThat(node.status().peers()).extracting(ClusterPeer::id).containsExactly("h1");
        }
    }

    @Test
    void shouldAnswer400NamingTheFieldAndChangeNothing() {
        assertThat(error("h1", "POST", "/api/cluster/peers", "{\"id\":\"h5\",\"address\":\"127.0.0.1:7505\"}", 400))
                .contains("\"client\"");
        assertThat(error("h1", "POST", "/api/cluster/peers",
                "{\"id\":\"h5\",\"address\":\"127.0.0.1\",\"client\":\"127.0.0.1:7405\"}", 400)).contains("\"address\"");
        assertThat(error("h1", "POST", "/api/cluster/peers",
                "{\"id\":\"h/5\",\"address\":\"127.0.0.1:7505\",\"client\":\"127.0.0.1:7405\"}", 400)).contains("\"id\"");
        assertThat(error("h1", "POST", "/api/cluster/peers", "[1,2]", 400)).contains("JSON object");
        assertThat(ids(status("h1").get("peers"))).containsExactlyInAnyOrder("h1", "h2");
    }
}

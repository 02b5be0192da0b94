package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.cluster.ClusterPeer;
import io.resh.cluster.ClusterStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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

/** {@code resh cluster} and {@code resh status} against two real cluster hosts in this JVM. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterCommandTest {
    private LoopbackCluster cluster;
    private List<ClusterPeer> peers;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        cluster = new LoopbackCluster(dir);
        peers = List.of(LoopbackCluster.peer("h1"), LoopbackCluster.peer("h2"));
        cluster.startAll(peers);
        await().atMost(Duration.ofSeconds(20)).until(() -> agreedLeader() != null);
        for (int i = 0; i < 5; i++) {
            cluster.node("h1").call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> cluster.node("h2").status().appliedRequests() == 5);
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /** The leader both hosts name in the same term, or null while they don't. */
    private String agreedLeader() {
        ClusterStatus a = cluster.node("h1").status();
        ClusterStatus b = cluster.node("h2").status();
        return !a.leader().isEmpty() && a.leader().equals(b.leader()) && a.term() == b.term() ? a.leader() : null;
    }

    private String[] withUrls(String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", cluster.admin("h1").url(), "--url", cluster.admin("h2").url(),
                "--token-file", cluster.tokenFile().toString()));
        return all.toArray(String[]::new);
    }

    private String[] withUrl(String host, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", cluster.admin(host).url(), "--token-file", cluster.tokenFile().toString()));
        return all.toArray(String[]::new);
    }

    @Test
    void shouldPrintOneRowPerHostWithTheLeaderTermAndIndices() {
        String leader = agreedLeader();
        long term = cluster.node("h1").status().term();

        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, withUrls());

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("HOST  ROLE").contains("TERM  COMMIT  APPLIED  SNAPSHOT  REQUESTS  REPLICAS")
                .contains("leader " + leader + ", term " + term + " (every host that answered agrees)");
        for (String h : List.of("h1", "h2")) {
            ClusterStatus s = cluster.node(h).status();
            assertThat(r.out().lines().filter(l -> l.matches("  " + h + "  +" + s.role() + "  +" + leader + "  +" + term
                    + "  +\\d+  +\\d+  +-?\\d+  +5  +3/3 live"))).as(r.out()).hasSize(1);
        }
    }

    @Test
    void shouldPrintThisHostsClusterViewAboveItsReplicaTable() {
        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, withUrl("h2"));

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).containsPattern("cluster host h2: (LEADER|FOLLOWER), leader " + agreedLeader() + ", term \\d+")
                .containsPattern("commit \\d+  applied \\d+  snapshot -?\\d+  log from \\d+  requests applied 5  replicas 3/3 live")
                .contains("members: h1 (Raft " + peers.get(0).raftAddress())
                .contains("c-h2  TMR (N=3, masks f=1)  SERVING")
                .contains("REPLICA  STATE");
        assertThat(r.out().indexOf("cluster host h2")).isLessThan(r.out().indexOf("c-h2  TMR"));
    }

    @Test
    void shouldPrintTheClusterAndGroupsAsJson() {
        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, withUrl("h1", "--json"));

        JsonNode n = AdminFixture.parse(r.out());
        assertThat(n.at("/cluster/id").asText()).isEqualTo("h1");
        assertThat(n.at("/groups/0/name").asText()).isEqualTo("c-h1");
    }

    @Test
    void shouldSayWhichHostDidNotAnswerAndExit1() {
        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, "--url", cluster.admin("h1").url(),
                "--url", "http://127.0.0.1:1/", "--token-file", cluster.tokenFile().toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("no status from http://127.0.0.1:1: cannot reach the admin API")
                .containsPattern("  h1  +(LEADER|FOLLOWER)");
    }

    /** A host that answered with a refusal was listed as "unreachable", which sent users looking at the network. */
    @Test
    void shouldNotCallAHostThatRefusedTheTokenUnreachable(@TempDir Path dir) throws Exception {
        Path wrong = dir.resolve("wrong.token");
        Files.writeString(wrong, "0".repeat(64));
        AdminFixture.Run r = AdminFixture.runExactly(ClusterCommand.class, "status", "--url", cluster.admin("h1").url(),
                "--token-file", wrong.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.out()).contains("no status from " + cluster.admin("h1").url().replaceAll("/$", "") + ": ")
                .contains("rejected the token").doesNotContain("unreachable");
    }

    @Test
    void shouldAddAndRemoveAHostWithTheClusterCommand() {
        ClusterPeer p3 = LoopbackCluster.peer("h3");
        List<ClusterPeer> all = new ArrayList<>(peers);
        all.add(p3);
        cluster.start(p3, all, true);
        try {
            AdminFixture.Run added = AdminFixture.runExactly(ClusterCommand.class, withUrl("h1", "add", "--id", "h3",
                    "--address", p3.raftAddress(), "--client", p3.clientAddress()));

            assertThat(added.exit()).as(added.err()).isZero();
            assertThat(added.out().strip()).matches("added h3; members: .*").contains("h1").contains("h2").contains("h3");
            await().atMost(Duration.ofSeconds(30)).until(() -> cluster.node("h3").status().appliedRequests() == 5);
            AdminFixture.Run again = AdminFixture.runExactly(ClusterCommand.class, withUrl("h2", "add", "--id", "h3",
                    "--address", p3.raftAddress(), "--client", p3.clientAddress()));
            assertThat(again.exit()).isEqualTo(1);
            assertThat(again.err()).contains("resh cluster add: admin API answered 409").contains("already a member");

            AdminFixture.Run removed = AdminFixture.runExactly(ClusterCommand.class, withUrl("h2", "remove", "h3"));

            assertThat(removed.exit()).as(removed.err()).isZero();
            assertThat(removed.out().strip()).matches("removed h3; members: h[12], h[12]");
            AdminFixture.Run status = AdminFixture.runExactly(ClusterCommand.class, withUrls("status"));
            assertThat(status.exit()).as(status.err()).isZero();
            assertThat(status.out()).contains("members (as h1 sees them): ").doesNotContain("h3 (Raft");
        } finally {
            cluster.stop("h3");
        }
    }

    @Test
    void shouldHandTheLeaderRoleToTheOtherHostWithTheClusterCommand() {
        String leader = await().atMost(Duration.ofSeconds(20)).until(this::agreedLeader, java.util.Objects::nonNull);
        String other = leader.equals("h1") ? "h2" : "h1";

        AdminFixture.Run moved = AdminFixture.runExactly(ClusterCommand.class, withUrl("h1", "leader", other));

        assertThat(moved.exit()).as(moved.err()).isZero();
        assertThat(moved.out().strip()).matches("leader " + other + "; members: h[12], h[12]");
        await().atMost(Duration.ofSeconds(20)).until(() -> other.equals(agreedLeader()));
        AdminFixture.Run unknown = AdminFixture.runExactly(ClusterCommand.class, withUrl("h1", "leader", "h7"));
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("resh cluster leader: admin API answered 409").contains("h7 is not a member");
    }

    @Test
    void shouldRejectABadAddressNamingTheField() {
        AdminFixture.Run r = AdminFixture.runExactly(ClusterCommand.class, withUrl("h1", "add", "--id", "h9",
                "--address", "127.0.0.1:7509", "--client", "localhost"));

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("admin API answered 400").contains("\"client\"");
    }
}

package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.cluster.ClusterPeer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code resh cluster} against a cluster of three hosts, one in this JVM and two run by {@code resh serve} that
 * the tests pause (SIGSTOP), as when a host's machine hangs: its ports accept connections but nothing answers.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPausedHostTest {
    /** Far above the bounds under test (a few seconds per host, a request timeout per change), far below 30 s. */
    private static final Duration PROMPT = Duration.ofSeconds(15);
    private LoopbackCluster cluster;
    private ServedHost h2;
    private ServedHost h3;
    private List<ClusterPeer> peers;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        // A request must reach the leader before the others elect a new one once it is paused.
        cluster = new LoopbackCluster(dir, Duration.ofSeconds(1), Duration.ofSeconds(2));
        peers = List.of(LoopbackCluster.peer("h1"), LoopbackCluster.peer("h2"), LoopbackCluster.peer("h3"));
        cluster.start(peers.get(0), peers, false);
        h2 = cluster.serve(peers.get(1), peers);
        h3 = cluster.serve(peers.get(2), peers);
        awaitAgreedLeader();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    private String h1Url() {
        return cluster.admin("h1").url();
    }

    private String[] args(List<String> urls, String... command) {
        List<String> all = new ArrayList<>(List.of(command));
        urls.forEach(u -> all.addAll(List.of("--url", u)));
        all.addAll(List.of("--token-file", cluster.tokenFile().toString()));
        return all.toArray(String[]::new);
    }

    private JsonNode status(String url) {
        AdminClient.Options o = new AdminClient.Options();
        o.url = url;
        o.tokenFile = cluster.tokenFile();
        return AdminClient.connect(o).get("/api/cluster");
    }

    /** Until all three hosts name the same leader in the same term: the cluster is whole again. */
    private void awaitAgreedLeader() {
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            List<JsonNode> views = List.of(status(h1Url()), status(h2.adminUrl()), status(h3.adminUrl()));
            String leader = views.get(0).path("leader").asText();
            return !leader.isEmpty() && views.stream().allMatch(v -> v.path("leader").asText().equals(leader)
                    && v.path("term").asLong() == views.get(0).path("term").asLong());
        });
    }

    private static String base(String url) {
        return url.replaceAll("/$", "");
    }

    /** Asked in turn, the paused host held up the others for the CLI's whole 30 s HTTP timeout. */
    @Test
    @Order(1)
    void shouldShowAPausedHostAsNotAnsweringAndTheOthersWithinAFewSeconds() {
        awaitAgreedLeader();
        h3.pause();
        try {
            long started = System.nanoTime();
            AdminFixture.Run r = AdminFixture.runExactly(ClusterCommand.class,
                    args(List.of(h1Url(), h3.adminUrl(), h2.adminUrl()), "status"));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(r.exit()).as(r.out()).isEqualTo(1);
            assertThat(r.out()).containsPattern("(?m)^  h1  +[A-Z]+  ").containsPattern("(?m)^  h2  +[A-Z]+  ")
                    .doesNotContainPattern("(?m)^  h3  ")
                    .contains("no status from " + base(h3.adminUrl()) + ": the admin API at " + base(h3.adminUrl())
                            + " did not answer within 5 s");
            assertThat(took).as("returned within the bound").isLessThan(PROMPT);
        } finally {
            h3.resume();
        }
    }

    /** {@code resh status} with the paused host's URL alone waited for the CLI's whole 30 s HTTP timeout. */
    @Test
    @Order(1)
    void shouldSayAPausedHostDidNotAnswerItsStatusWithinAFewSeconds() {
        awaitAgreedLeader();
        h3.pause();
        try {
            long started = System.nanoTime();
            AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, args(List.of(h3.adminUrl())));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.err()).contains("resh status: the admin API at " + base(h3.adminUrl())
                    + " did not answer within 5 s");
            assertThat(took).as("returned within the bound").isLessThan(PROMPT);
        } finally {
            h3.resume();
        }
    }

    /**
     * A request that h1 forwarded to the leader just before the leader paused timed out with "no leader, or no
     * majority of hosts", while h1 and h2 had long elected a new leader: the message names the leader it waits on.
     */
    @Test
    @Order(2)
    void shouldSayARequestTimedOutOnThePausedLeaderItWasForwardedTo() {
        awaitAgreedLeader();
        cluster.node("h1").transferLeadership("h3");
        await().atMost(Duration.ofSeconds(30)).until(() -> "h3".equals(cluster.node("h1").status().leader()));
        h3.pause();
        try (ReshClient client = ReshClient.connect(List.of(new InetSocketAddress("127.0.0.1",
                peers.get(0).client().getPort())))) {
            assertThatThrownBy(() -> client.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(30)))
                    .isInstanceOf(ReshRemoteException.class)
                    .hasMessageContaining("not committed within " + LoopbackCluster.REQUEST_TIMEOUT.toMillis() + " ms")
                    .hasMessageContaining("forwarded to the leader h3 at 127.0.0.1:" + peers.get(2).client().getPort()
                            + ", which did not answer")
                    .hasMessageContaining("it may still be committed later");
        } finally {
            h3.resume();
        }
    }

    /** Were each a client-side timeout after 30 s, although the admin API documents 503 with the reason. */
    @Test
    @Order(3) // last: a change the lone host took as leader may still be committed once the others run again
    void shouldAnswerEachChangeWith503SayingWhyWhenTheMajorityIsPaused() {
        awaitAgreedLeader();
        h2.pause();
        h3.pause();
        try {
            List<List<String>> changes = List.of(List.of("remove", "h2"), List.of("leader", "h3"),
                    List.of("add", "--id", "h4", "--address", "127.0.0.1:1", "--client", "127.0.0.1:2"));
            for (List<String> change : changes) {
                long started = System.nanoTime();
                AdminFixture.Run r = AdminFixture.runExactly(ClusterCommand.class,
                        args(List.of(h1Url()), change.toArray(String[]::new)));
                Duration took = Duration.ofNanos(System.nanoTime() - started);

                assertThat(r.exit()).as(r.out()).isEqualTo(1);
                assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
                assertThat(r.err()).startsWith("resh cluster " + change.get(0) + ": admin API answered 503: cannot ")
                        .containsPattern("not (committed|done) within " + LoopbackCluster.REQUEST_TIMEOUT.toSeconds() + " s")
                        .containsPattern("no leader|no majority");
                assertThat(took).as(change + " returned within the bound").isLessThan(PROMPT);
            }
        } finally {
            h2.resume();
            h3.resume();
        }
    }
}

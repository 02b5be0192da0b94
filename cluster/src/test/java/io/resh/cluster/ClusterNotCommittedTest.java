package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.gateway.testing.Signals;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Clients of a cluster that cannot commit get the documented answer once {@code requestTimeout} is up, whatever
 * the last try before it was: three host processes, of which two are paused with SIGSTOP, and 8 requests at once.
 */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterNotCommittedTest {
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final String MAY_STILL_COMMIT = "; it may still be committed later, so a retry may apply it twice"
            + " (only the Java ClusterClient's own retries apply it once)";
    private ProcessCluster cluster;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        // The leader must stay the one the test found while it connects and pauses hosts.
        cluster = new ProcessCluster(dir, 3, "io.resh.host.testing.CounterService", 1000, REQUEST_TIMEOUT)
                .election(Duration.ofSeconds(1), Duration.ofSeconds(2));
        cluster.startAll();
    }

    @AfterAll
    void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    /**
     * A leader whose followers are paused takes the requests and then steps down; the retries in between were
     * refused by Ratis, and whichever try ended just before the timeout answered with Ratis's text
     * ("not committed: NotLeaderException: Server h1@group-… is not the leader") in most of the requests.
     */
    @Test
    void shouldAnswerTheDocumentedMessageWhenTheLeadersFollowersArePaused() throws Exception {
        String leader = cluster.awaitLeader();
        List<String> followers = others(leader);

        List<String> answers = sendWhilePaused(leader, followers);

        assertThat(answers).hasSize(8).allSatisfy(a -> assertThat(a).isEqualTo("outcome unknown: not committed within "
                + REQUEST_TIMEOUT.toMillis() + " ms (no leader, or no majority of hosts)" + MAY_STILL_COMMIT));
    }

    /** A follower that forwarded the requests to the leader, which then paused, names that leader. */
    @Test
    void shouldNameThePausedLeaderTheRequestsWereForwardedTo() throws Exception {
        String leader = cluster.awaitLeader();
        String follower = others(leader).get(0);
        List<String> paused = List.of(others(leader).get(1), leader);

        List<String> answers = sendWhilePaused(follower, paused);

        assertThat(answers).hasSize(8).allSatisfy(a -> assertThat(a).isEqualTo("outcome unknown: not committed within "
                + REQUEST_TIMEOUT.toMillis() + " ms (forwarded to the leader " + leader + " at 127.0.0.1:"
                + peer(leader).client().getPort() + ", which did not answer: paused, overloaded or cut off?)"
                + MAY_STILL_COMMIT));
    }

    private List<String> others(String id) {
        return cluster.peers().stream().map(ClusterPeer::id).filter(p -> !p.equals(id)).toList();
    }

    private ClusterPeer peer(String id) {
        return cluster.peers().stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow();
    }

    /**
     * Sends 8 requests at once, over connections opened and used before, to {@code to}'s front door while the
     * hosts {@code paused} are stopped; returns each one's error message, or its reply if it got one.
     */
    private List<String> sendWhilePaused(String to, List<String> paused) throws Exception {
        InetSocketAddress door = new InetSocketAddress("127.0.0.1", peer(to).client().getPort());
        List<ReshClient> clients = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                clients.add(ReshClient.connect(List.of(door)));
            }
            // The follower's link to the leader is up too: a request that has to connect first is not what is tested.
            for (ReshClient c : clients) {
                c.call("get", Duration.ofSeconds(20));
            }
            List<String> stopped = new ArrayList<>();
            try {
                for (String id : paused) {
                    Signals.send("STOP", cluster.host(id).pid());
                    stopped.add(id);
                }
                List<CompletableFuture<byte[]>> sent = new ArrayList<>();
                for (ReshClient c : clients) {
                    sent.add(c.send("add:1".getBytes(StandardCharsets.UTF_8)));
                }
                List<String> answers = new ArrayList<>();
                for (CompletableFuture<byte[]> f : sent) {
                    answers.add(answer(f));
                }
                return answers;
            } finally {
                for (String id : stopped) {
                    Signals.send("CONT", cluster.host(id).pid());
                }
            }
        } finally {
            clients.forEach(ReshClient::close);
        }
    }

    private static String answer(CompletableFuture<byte[]> f) throws Exception {
        try {
            return "reply " + new String(f.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        } catch (ExecutionException e) {
            return e.getCause() instanceof ReshRemoteException r ? r.getMessage() : e.getCause().toString();
        }
    }
}

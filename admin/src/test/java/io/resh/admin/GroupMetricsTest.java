package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.resh.client.ReshClient;
import io.resh.host.ReplicaGroup;
import io.resh.host.SlotState;
import io.resh.host.net.ReshServer;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** Metrics and the event log of a real group: a SIGKILL, a flipped reply bit, a flipped state bit, TCP traffic. */
@Tag("e2e")
class GroupMetricsTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ReplicaGroup group;
    private AdminServer admin;
    private ReshServer server;
    private ReshClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (server != null) {
            server.close();
        }
        if (admin != null) {
            admin.close();
        }
        if (group != null) {
            group.close();
        }
    }

    private static byte[] add() {
        return "add:1".getBytes(StandardCharsets.UTF_8);
    }

    /** n requests, all in flight at once, each answered within 20 s. */
    private static void send(Function<byte[], CompletableFuture<byte[]>> submit, int n) throws Exception {
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(submit.apply(add()));
        }
        for (CompletableFuture<byte[]> r : replies) {
            r.get(20, TimeUnit.SECONDS);
        }
    }

    private List<JsonNode> eventLog() throws Exception {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("events.jsonl"))) {
            lines.add(AdminCalls.parse(line));
        }
        return lines;
    }

    /** Starts a TMR counter group named {@code name} and an admin server over it; returns calls to that server. */
    private AdminCalls watched(String name) throws Exception {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter(name, 3, dir).build()));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group));
        return new AdminCalls(admin);
    }

    @Test
    void shouldCountTheCrashItsRecoveryAndTheVotedRequestsAndWriteTheEventLine() throws Exception {
        AdminCalls calls = watched("metrics");
        send(group::submit, 50);
        long pid = group.status().replicaStates().get(1).pid();

        group.faults().crash(1).get(10, TimeUnit.SECONDS);
        send(group::submit, 50);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(calls.metric("resh_faults_total", "group=\"metrics\"", "kind=\"crash\"", "replica=\"1\"")).isEqualTo(1);
            assertThat(calls.metric("resh_recoveries_total", "group=\"metrics\"", "replica=\"1\"")).isEqualTo(1);
            assertThat(calls.metric("resh_recovery_duration_seconds_count", "group=\"metrics\"")).isEqualTo(1);
            assertThat(calls.metric("resh_replica_incarnation", "group=\"metrics\"", "replica=\"1\"")).isEqualTo(2);
            assertThat(calls.metric("resh_replica_state", "replica=\"1\"", "state=\"active\"")).isEqualTo(1);
            assertThat(calls.metric("resh_replica_reputation", "group=\"metrics\"", "replica=\"1\"")).isLessThan(1.0);
        });
        assertThat(calls.metric("resh_faults_total", "group=\"metrics\"", "kind=\"crash\"", "replica=\"0\"")).isZero();
        assertThat(calls.metric("resh_faults_injected_total", "fault=\"crash\"", "replica=\"1\"")).isEqualTo(1);
        assertThat(calls.metric("resh_requests_total", "group=\"metrics\"")).isGreaterThanOrEqualTo(100);
        assertThat(calls.metric("resh_replies_total", "group=\"metrics\"")).isGreaterThanOrEqualTo(100);
        assertThat(calls.metric("resh_vote_latency_seconds_count", "group=\"metrics\"")).as("submitted to the group directly")
                .isEqualTo(100);
        assertThat(calls.metric("resh_vote_latency_seconds", "group=\"metrics\"", "quantile=\"0.99\"")).isPositive();
        assertThat(calls.metric("resh_checkpoint_age_seconds", "group=\"metrics\"")).isGreaterThanOrEqualTo(0);
        assertThat(calls.metric("resh_log_length", "group=\"metrics\"")).isGreaterThanOrEqualTo(0);
        assertThat(calls.metric("resh_rejuvenations_total", "group=\"metrics\"", "replica=\"1\"")).isZero();
        assertThat(calls.metric("resh_backoffs_total", "group=\"metrics\"", "replica=\"1\"")).isZero();
        assertThat(calls.metric("resh_version_reputation", "group=\"metrics\"", "version=")).isBetween(0.0, 1.0);
        assertThat(calls.metric("resh_version_quarantined", "group=\"metrics\"")).isZero();
        assertThat(calls.metric("resh_redundancy_escalated", "group=\"metrics\"")).isZero();

        List<JsonNode> lines = eventLog();
        JsonNode crash = lines.stream().filter(e -> e.get("type").asText().equals("fault")).findFirst().orElseThrow();
        assertThat(crash.get("group").asText()).isEqualTo("metrics");
        assertThat(crash.get("replica").asInt()).isEqualTo(1);
        assertThat(crash.get("kind").asText()).isEqualTo("crash");
        assertThat(crash.get("sequence").asLong()).isBetween(1L, 101L);
        assertThat(crash.has("core")).isTrue();
        assertThat(crash.get("evidence").asText()).contains("exited");
        assertThat(Instant.parse(crash.get("time").asText()).toEpochMilli()).isEqualTo(crash.get("timeMillis").asLong());
        assertThat(lines).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("injected");
            assertThat(e.get("detail").asText()).contains(Long.toString(pid));
        });
        assertThat(lines).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("recovered");
            assertThat(e.get("replica").asInt()).isEqualTo(1);
            assertThat(e.get("durationMillis").asLong()).isNotNegative();
        });
    }

    /**
     * The gauges of a group that did not answer its status poll kept their last values: a dashboard or an alert on
     * them saw a healthy group that nobody could reach. Here the group is closed under the admin server, as a cluster
     * host closes its local group to restart it from the leader's snapshot, then the admin server follows the new one.
     */
    @Test
    void shouldExportTheGaugesOfAnUnreachableGroupAsNaNAndKeepItsCountersUntilItAnswersAgain() throws Exception {
        AdminCalls calls = watched("gone");
        send(group::submit, 10);
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.metric("resh_replies_total", "group=\"gone\"") == 10);

        group.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> calls.metric("resh_group_reachable", "group=\"gone\"") == 0);
        String metrics = calls.send("GET", "/metrics", null).body();
        assertThat(groupGauges(metrics)).as("every gauge of the group but resh_group_reachable")
                .containsKeys("resh_log_length", "resh_failed", "resh_checkpoint_age_seconds", "resh_replica_state",
                        "resh_replica_incarnation", "resh_replica_reputation", "resh_version_reputation",
                        "resh_redundancy_escalated")
                .allSatisfy((name, values) -> assertThat(values).as(name).isNotEmpty().allMatch(v -> v.equals("NaN")));
        assertThat(calls.metric("resh_replies_total", "group=\"gone\"")).as("a counter never goes back").isEqualTo(10);
        assertThat(calls.metric("resh_requests_total", "group=\"gone\"")).isEqualTo(10);

        group = logs.watch(ReplicaGroup.start(TestGroups.counter("gone", 3, dir.resolve("restarted")).build()));
        admin.replace(group);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(calls.metric("resh_replica_state",
                "group=\"gone\"", "replica=\"1\"", "state=\"active\"")).isEqualTo(1));
        assertThat(groupGauges(calls.send("GET", "/metrics", null).body()))
                .allSatisfy((name, values) -> assertThat(values).as(name).noneMatch(v -> v.equals("NaN")));
        assertThat(calls.metric("resh_group_reachable", "group=\"gone\"")).isEqualTo(1);
        assertThat(calls.metric("resh_replica_incarnation", "group=\"gone\"", "replica=\"1\"")).isEqualTo(1);
        assertThat(calls.metric("resh_failed", "group=\"gone\"")).isZero();
    }

    /**
     * The values of the gauges of group "gone" read from its status, by metric name: all but resh_group_reachable,
     * and but the maxima of the timers, which are what was measured rather than the group's state now.
     */
    private static Map<String, List<String>> groupGauges(String metrics) {
        Set<String> gauges = new TreeSet<>();
        Matcher type = Pattern.compile("^# TYPE (\\S+) gauge$", Pattern.MULTILINE).matcher(metrics);
        while (type.find()) {
            gauges.add(type.group(1));
        }
        gauges.remove("resh_group_reachable");
        gauges.removeIf(n -> n.endsWith("_seconds_max"));
        Map<String, List<String>> values = new TreeMap<>();
        Matcher sample = Pattern.compile("^(\\w+)\\{([^}]*)} (\\S+)$", Pattern.MULTILINE).matcher(metrics);
        while (sample.find()) {
            if (gauges.contains(sample.group(1)) && sample.group(2).contains("group=\"gone\"")) {
                values.computeIfAbsent(sample.group(1), n -> new ArrayList<>()).add(sample.group(3));
            }
        }
        return values;
    }

    @Test
    void shouldTimeTrafficThroughTheTcpFrontDoorAndStopOnceTheAdminIsClosed() throws Exception {
        AdminCalls calls = watched("tcp");
        server = ReshServer.start(group, "127.0.0.1", 0);
        client = ReshClient.connect("127.0.0.1", server.port());

        send(client::send, 60);

        assertThat(calls.metric("resh_vote_latency_seconds_count", "group=\"tcp\"")).isEqualTo(60);
        assertThat(calls.metric("resh_vote_latency_seconds_max", "group=\"tcp\"")).isPositive();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(calls.json("/api/series?group=tcp").get("tcp"))
                .anySatisfy(s -> {
                    assertThat(s.get("metered").asLong()).isPositive();
                    assertThat(s.get("p99Micros").asLong()).isPositive();
                }));

        PrometheusMeterRegistry registry = admin.registry();
        admin.close();
        send(client::send, 20);

        assertThat(registry.get("resh.vote.latency").tag("group", "tcp").timer().count())
                .as("a closed admin no longer listens to the group").isEqualTo(60);
    }

    @Test
    void shouldRecordDivergencesByReplicaAndCoreWithTheirDigestsInTheEventLog() throws Exception {
        AdminCalls calls = watched("diverge");
        send(group::submit, 5);

        group.faults().corruptNextReply(0, 3).get(10, TimeUnit.SECONDS);
        send(group::submit, 5);
        await().atMost(Duration.ofSeconds(20)).until(() -> group.status().replicaStates().stream()
                .allMatch(r -> r.state() == SlotState.ACTIVE)); // all three must report the next state digest
        group.faults().corruptState(2, 7).get(10, TimeUnit.SECONDS);
        send(group::submit, 5);
        group.checkpointNow();

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(calls.metric("resh_divergences_total", "group=\"diverge\"", "replica=\"0\"", "core=")).isEqualTo(1);
            assertThat(calls.metric("resh_divergences_total", "group=\"diverge\"", "replica=\"2\"", "core=")).isEqualTo(1);
        });
        JsonNode reply = eventLog().stream().filter(e -> e.path("kind").asText().equals("divergence")).findFirst().orElseThrow();
        assertThat(reply.at("/digests/voted").asText()).hasSize(64);
        assertThat(reply.at("/digests/replica").asText()).hasSize(64).isNotEqualTo(reply.at("/digests/voted").asText());
        assertThat(reply.at("/sizes/voted").asLong()).isEqualTo(reply.at("/sizes/replica").asLong()).isPositive();
        assertThat(reply.at("/firstDifference/offset").asLong()).isNotNegative().isLessThan(reply.at("/sizes/voted").asLong());
        assertThat(reply.at("/firstDifference/voted/hex").asText()).isNotEqualTo(reply.at("/firstDifference/replica/hex").asText());
        assertThat(reply.get("diff").asText()).startsWith("first difference at byte " + reply.at("/firstDifference/offset").asLong() + ": 0x");
        assertThat(reply.get("evidence").asText()).contains(reply.at("/digests/voted").asText().substring(0, 12));
        JsonNode state = eventLog().stream().filter(e -> e.path("kind").asText().equals("state-divergence")).findFirst().orElseThrow();
        assertThat(state.get("replica").asInt()).isEqualTo(2);
        assertThat(state.at("/digests/stable").asText()).hasSize(64);
        assertThat(state.at("/digests/replica").asText()).hasSize(64).isNotEqualTo(state.at("/digests/stable").asText());
    }
}

package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Metrics and the event log after a real SIGKILL of a replica process. */
@Tag("e2e")
class GroupMetricsTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();

    @TempDir
    Path dir;

    private ReplicaGroup group;
    private AdminServer admin;

    @AfterEach
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (group != null) {
            group.close();
        }
    }

    private void send(MeteredGroup metered, int n) throws Exception {
        List<CompletableFuture<byte[]>> replies = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            replies.add(metered.submit("add:1".getBytes(StandardCharsets.UTF_8)));
        }
        for (CompletableFuture<byte[]> r : replies) {
            r.get(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldCountTheCrashItsRecoveryAndTheVotedRequestsAndWriteTheEventLine() throws Exception {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("metrics", 3).build()));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group));
        AdminCalls calls = new AdminCalls(admin);
        MeteredGroup metered = admin.metered("metrics");
        send(metered, 50);
        long pid = group.status().replicaStates().get(1).pid();

        group.faults().crash(1).get(10, TimeUnit.SECONDS);
        send(metered, 50);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(calls.metric("resh_faults_total", "group=\"metrics\"", "kind=\"crash\"", "replica=\"1\"")).isEqualTo(1);
            assertThat(calls.metric("resh_recoveries_total", "group=\"metrics\"", "replica=\"1\"")).isEqualTo(1);
            assertThat(calls.metric("resh_recovery_duration_seconds_count", "group=\"metrics\"")).isEqualTo(1);
            assertThat(calls.metric("resh_replica_incarnation", "group=\"metrics\"", "replica=\"1\"")).isEqualTo(2);
            assertThat(calls.metric("resh_replica_state", "replica=\"1\"", "state=\"active\"")).isEqualTo(1);
        });
        assertThat(calls.metric("resh_faults_total", "group=\"metrics\"", "kind=\"crash\"", "replica=\"0\"")).isZero();
        assertThat(calls.metric("resh_faults_injected_total", "fault=\"crash\"", "replica=\"1\"")).isEqualTo(1);
        assertThat(calls.metric("resh_requests_total", "group=\"metrics\"")).isGreaterThanOrEqualTo(100);
        assertThat(calls.metric("resh_replies_total", "group=\"metrics\"")).isGreaterThanOrEqualTo(100);
        assertThat(calls.metric("resh_vote_latency_seconds_count", "group=\"metrics\"")).isEqualTo(100);
        assertThat(calls.metric("resh_vote_latency_seconds", "group=\"metrics\"", "quantile=\"0.99\"")).isPositive();
        assertThat(calls.metric("resh_checkpoint_age_seconds", "group=\"metrics\"")).isGreaterThanOrEqualTo(0);
        assertThat(calls.metric("resh_log_length", "group=\"metrics\"")).isGreaterThanOrEqualTo(0);
        assertThat(calls.metric("resh_rejuvenations_total", "group=\"metrics\"", "replica=\"1\"")).isZero();

        List<JsonNode> lines = new ArrayList<>();
        for (String line : Files.readAllLines(dir.resolve("events.jsonl"))) {
            lines.add(AdminCalls.parse(line));
        }
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

    @Test
    void shouldRecordADivergenceByReplicaAndCoreWithTheDigestsInTheEventLog() throws Exception {
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("diverge", 3).build()));
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group));
        AdminCalls calls = new AdminCalls(admin);
        send(admin.metered("diverge"), 5);

        group.faults().corruptNextReply(0, 3).get(10, TimeUnit.SECONDS);
        send(admin.metered("diverge"), 5);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(calls.metric("resh_divergences_total", "group=\"diverge\"", "replica=\"0\"", "core=")).isEqualTo(1));
        JsonNode divergence = AdminCalls.parse(Files.readAllLines(dir.resolve("events.jsonl")).stream()
                .filter(l -> l.contains("\"kind\":\"divergence\"")).findFirst().orElseThrow());
        assertThat(divergence.at("/digests/voted").asText()).hasSize(12);
        assertThat(divergence.at("/digests/replica").asText()).hasSize(12).isNotEqualTo(divergence.at("/digests/voted").asText());
        assertThat(divergence.get("diff").asText()).contains("first difference at byte");
    }
}

package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resh.core.InjectedFault;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EventsCommandTest {
    private AdminFixture fixture;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        fixture = new AdminFixture("events", dir);
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shouldPrintTheCrashAndTheRecoveryAmongRecentEvents() throws Exception {
        // Another test of this class restarts replica 1 until it sees a recovery: crashed while it still replays,
        // it would owe a reply, and the crash would be at that request instead of idle.
        await().atMost(Duration.ofSeconds(20)).until(() -> fixture.group.status().replicaStates().stream()
                .allMatch(s -> s.state() == io.resh.host.SlotState.ACTIVE));
        fixture.group.faults().crash(1).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            AdminFixture.Run r = fixture.run(EventsCommand.class, "--limit", "50");
            assertThat(r.exit()).as(r.err()).isZero();
            // The group is idle: no request is named, only the last one answered (if any).
            assertThat(r.out()).containsPattern("events  replica 1  while idle, (after request #\\d+|before any request)"
                            + "  FAULT crash  process exited")
                    .containsPattern("events  replica 1  #\\d+  recovered  in \\d+ ms");
        });
    }

    @Test
    void shouldFollowTheStreamAndStopAfterCountEvents() {
        CompletableFuture<AdminFixture.Run> follow = CompletableFuture.supplyAsync(() ->
                fixture.run(EventsCommand.class, "--follow", "--limit", "0", "--count", "1", "--json"));

        // Until the follower is connected an event would be missed, so keep producing harmless ones.
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(300)).until(() -> {
            fixture.group.faults().inject(InjectedFault.SLOW, 0, 1);
            fixture.group.call("get".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
            return follow.isDone();
        });

        AdminFixture.Run r = follow.join();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(1);
        JsonNode e = AdminFixture.parse(r.out());
        assertThat(e.get("group").asText()).isEqualTo("events");
        assertThat(e.get("type").asText()).isEqualTo("injected");
        assertThat(e.get("fault").asText()).isEqualTo("slow");
    }

    @Test
    void shouldListOnlyTheTypesAskedFor() throws Exception {
        fixture.group.faults().crash(2).get(10, TimeUnit.SECONDS); // injected, fault, recovery-started, replica-started, recovered

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            AdminFixture.Run r = fixture.run(EventsCommand.class, "--limit", "1000", "--type", "fault,recovered");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).contains("replica 2  ").containsPattern("replica 2  .*FAULT crash")
                    .containsPattern("replica 2  #\\d+  recovered");
            assertThat(r.out().lines()).allSatisfy(l -> assertThat(l).containsPattern("  (FAULT \\S+|recovered)  "));
        });
    }

    /** Only recovered events end the follow: the injections that keep coming meanwhile are not printed. */
    @Test
    void shouldFollowOnlyTheTypesAskedFor() {
        CompletableFuture<AdminFixture.Run> follow = CompletableFuture.supplyAsync(() -> fixture.run(EventsCommand.class,
                "--follow", "--limit", "0", "--count", "1", "--json", "--type", "recovered"));

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
            fixture.group.faults().inject(InjectedFault.SLOW, 0, 1);
            try {
                fixture.group.restart(1); // a recovered event once it is back in the vote
            } catch (RuntimeException stillRestarting) {
                // the previous restart is not done yet
            }
            return follow.isDone();
        });

        AdminFixture.Run r = follow.join();
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().lines()).hasSize(1);
        assertThat(AdminFixture.parse(r.out()).get("type").asText()).isEqualTo("recovered");
    }

    @Test
    void shouldRefuseAnUnknownTypeInOneLineListingTheKnownOnes() {
        AdminFixture.Run r = fixture.run(EventsCommand.class, "--type", "fault,recoverd");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("resh events: --type: expected event types among "
                + String.join(", ", io.resh.core.GroupEvent.types()) + ", got 'recoverd'" + System.lineSeparator());
        assertThat(r.err()).contains("fault, injected, recovery-started, replica-started, recovered, checkpoint");
        assertThat(r.out()).isEmpty();
    }

    /** A usage error, as --type's and picocli's own: exit status 2 (it was 1, the status of a failed call). */
    @Test
    void shouldRefuseCountWithoutFollow() {
        AdminFixture.Run r = fixture.run(EventsCommand.class, "--count", "2");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).isEqualTo("resh events: --count: only with --follow, which it stops after N events; without"
                + " --follow, use --limit N for the N most recent" + System.lineSeparator());
        assertThat(r.out()).isEmpty();
        AdminFixture.Run negative = fixture.run(EventsCommand.class, "--limit", "-1");
        assertThat(negative.exit()).isEqualTo(2);
        assertThat(negative.err()).isEqualTo("resh events: --limit: expected 0 to 100000, got -1" + System.lineSeparator());
    }

    /** The supervisor's events were printed as their whole JSON line: "backed-off  {"time":...}". */
    @Test
    void shouldPrintTheSupervisorsEventsInWords() {
        EventsCommand events = new EventsCommand();
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"backed-off\","
                + "\"replica\":2,\"restarts\":6,\"windowMillis\":60000,\"delayMillis\":4000}")))
                .endsWith("  kv  replica 2  backed-off  restarted 6 times within 60 s; next start in 4000 ms");
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"aes\",\"type\":\"version-quarantined\","
                + "\"version\":\"bc-light\",\"restarts\":11,\"windowMillis\":60000,\"untilMillis\":600000,"
                + "\"until\":\"1970-01-01T00:10:00Z\",\"replacement\":\"jdk\"}")))
                .endsWith("  aes  version-quarantined  version bc-light restarted 11 times within 60 s;"
                        + " quarantined until 1970-01-01T00:10:00Z; its slots run jdk");
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"redundancy\","
                + "\"from\":\"dmr\",\"to\":\"tmr\",\"reason\":\"divergence at #12\"}")))
                .endsWith("  kv  redundancy  dmr -> tmr: divergence at #12");
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"core-suspected\","
                + "\"core\":1,\"reputation\":0.2,\"faults\":4,\"evidence\":\"replicas 0, 2\"}")))
                .endsWith("  kv  core-suspected  core 1 suspect: reputation 0.2 after 4 faults (replicas 0, 2)");
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"poison-request\","
                + "\"sequence\":7,\"replicasKilled\":3,\"processesKilled\":3,\"evidence\":\"request #7 killed all 3 replicas\"}")))
                .as("a request of death in words, not its JSON")
                .endsWith("  kv  #7  poison-request  request #7 killed all 3 replicas");
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"redis\",\"type\":\"unreplayable-request\","
                + "\"sequence\":3,\"request\":\"request #3 (EXIT)\",\"replacementsFailed\":4,\"replicasExecuted\":2,"
                + "\"replicasNotRebuilt\":2,\"serving\":true,\"evidence\":\"request #3 (EXIT) kills every server that"
                + " replays it\"}")))
                .as("a request kept in the replay log that no replacement survives, in words")
                .endsWith("  redis  #3  unreplayable-request  request #3 (EXIT) kills every server that replays it");
    }

    /** A fault of a replica that held no request named the next sequence number, a request that did not exist yet. */
    @Test
    void shouldSayAFaultHappenedWhileIdleAfterTheLastRequest() {
        EventsCommand events = new EventsCommand();
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"fault\",\"replica\":1,"
                + "\"core\":null,\"sequence\":40,\"idle\":true,\"kind\":\"crash\",\"evidence\":\"process exited with code 137\"}")))
                .endsWith("  kv  replica 1  while idle, after request #40  FAULT crash  process exited with code 137");
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"fault\",\"replica\":1,"
                + "\"core\":null,\"sequence\":41,\"idle\":false,\"kind\":\"crash\",\"evidence\":\"process exited with code 137\"}")))
                .endsWith("  kv  replica 1  #41  FAULT crash  process exited with code 137");
    }

    /** A replica that failed to start held no request: its sequence number 0 named a request #0 that never was. */
    @Test
    void shouldSayAStartFailureHappenedWhileStarting() {
        EventsCommand events = new EventsCommand();
        assertThat(events.format(AdminFixture.parse("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"fault\",\"replica\":2,"
                + "\"core\":null,\"sequence\":0,\"idle\":false,\"kind\":\"start-failure\",\"evidence\":\"no hello within 30 s\"}")))
                .endsWith("  kv  replica 2  while starting  FAULT start-failure  no hello within 30 s");
    }
}

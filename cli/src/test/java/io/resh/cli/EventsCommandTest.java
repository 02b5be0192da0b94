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
        fixture.group.faults().crash(1).get(10, TimeUnit.SECONDS);

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            AdminFixture.Run r = fixture.run(new EventsCommand(), "--limit", "50");
            assertThat(r.exit()).as(r.err()).isZero();
            assertThat(r.out()).containsPattern("events  replica 1  #\\d+  FAULT crash  process exited")
                    .containsPattern("events  replica 1  #\\d+  recovered  in \\d+ ms");
        });
    }

    @Test
    void shouldFollowTheStreamAndStopAfterCountEvents() {
        CompletableFuture<AdminFixture.Run> follow = CompletableFuture.supplyAsync(() ->
                fixture.run(new EventsCommand(), "--follow", "--limit", "0", "--count", "1", "--json"));

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
}

package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class InjectCommandTest {
    private AdminFixture fixture;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        fixture = new AdminFixture("inject", dir);
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shouldCrashTheReplicaWhichTheGroupThenReplaces() {
        long pid = fixture.group.status().replicaStates().get(2).pid();

        AdminFixture.Run r = fixture.run(InjectCommand.class, "crash", "--replica", "2");

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out().strip()).isEqualTo("injected crash into inject replica 2: SIGKILL sent to pid " + pid);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ReplicaStatus s = fixture.group.status().replicaStates().get(2);
            assertThat(s.pid()).isNotEqualTo(pid);
            assertThat(s.state()).isEqualTo(SlotState.ACTIVE);
            assertThat(s.lastFault()).startsWith("crash");
        });
    }

    @Test
    void shouldRefuseAnUnknownFaultListingTheKnownOnes() {
        AdminFixture.Run r = fixture.run(InjectCommand.class, "meteor", "--replica", "0");

        assertThat(r.exit()).as("a usage error, as a misspelt option is").isEqualTo(2);
        assertThat(r.err()).contains("unknown fault 'meteor'").contains("crash, hang");
    }

    @Test
    void shouldRefuseAReplicaTheGroupDoesNotHave() {
        AdminFixture.Run r = fixture.run(InjectCommand.class, "hang", "--replica", "5");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("replicas 0 to 2");
    }

    @Test
    void shouldRefuseANegativeArgument() {
        AdminFixture.Run r = fixture.run(InjectCommand.class, "slow", "--replica", "0", "--arg", "-5");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("\"arg\" must be 0 or more, got -5 (");
        assertThat(fixture.group.status().replicaStates().get(0).faults()).as("nothing injected").isZero();
    }

    @Test
    void shouldListTheFaultsInItsHelp() {
        AdminFixture.Run r = AdminFixture.runExactly(InjectCommand.class, "--help");

        assertThat(r.out().replaceAll("\\s+", " "))
                .contains("crash, hang, slow, reply-corruption, state-corruption, byzantine, ipc-garbage");
    }
}

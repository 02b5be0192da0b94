package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.config.Sandbox;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import io.resh.host.testing.TrespassingService;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Replicas under bubblewrap with resource limits: writes inside the replica's own directory work, a write
 * anywhere else is refused by the OS, reported as a contract violation, and voted as the service error it
 * is; the limits hold for the JVM inside the sandbox.
 */
@Tag("e2e")
class BwrapSandboxTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();
    private ReplicaGroup group;

    private String call(String request) {
        return new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)), StandardCharsets.UTF_8);
    }

    @Test
    void shouldReportAWriteOutsideTheSandboxAsAContractViolationAndKeepServing() throws Exception {
        assumeTrue(Binaries.which("bwrap").isPresent() && Binaries.which("prlimit").isPresent(), "needs bwrap and prlimit");
        group = groups.start(TestGroups.of("sandboxed", 3, TrespassingService.class.getName(), groups.dir())
                .sandbox(Sandbox.BWRAP).processLimits(1000, 5000).build(), List.of(events.listener()));
        assertThat(call("write:inside.txt")).isEqualTo("wrote inside.txt");
        // replica 0 may not be among the first f+1 that answered: wait for its own write, don't assume it
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(group.workDir().resolve("replica-0").resolve("inside.txt")).exists());

        // Outside both the work directory and /tmp (which is private inside the sandbox, so a write there
        // would succeed unseen): the home directory is on the read-only root.
        Path outside = Path.of(System.getProperty("user.home"), ".resh-escape-" + System.nanoTime() + ".txt");
        assertThatThrownBy(() -> call("write:" + outside)).isInstanceOf(ServiceErrorException.class)
                .hasMessageContaining("Read-only file system");
        assertThat(outside).doesNotExist();
        await().atMost(Duration.ofSeconds(5)).until(() -> events.of(GroupEvent.FaultDetected.class).size() == 3);
        assertThat(events.of(GroupEvent.FaultDetected.class)).allSatisfy(f -> {
            assertThat(f.kind()).isEqualTo(FaultKind.CONTRACT_VIOLATION);
            assertThat(f.evidence()).contains("Files.write").contains(outside.toString()).contains("Read-only file system");
        }).extracting(GroupEvent.FaultDetected::replica).containsExactlyInAnyOrder(0, 1, 2);
        // the OS stopped the write: nothing to recover, the group keeps serving with the same processes
        assertThat(events.of(GroupEvent.RecoveryStarted.class)).isEmpty();
        assertThat(call("add:2")).isEqualTo("2");
        GroupStatus s = group.status();
        assertThat(s.counters().get("faults.contract-violation")).isEqualTo(3);
        assertThat(s.replicaStates()).allSatisfy(r -> {
            assertThat(r.state()).isEqualTo(SlotState.ACTIVE);
            assertThat(r.reputation()).isLessThan(1.0);
        });

        long jvm = javaProcess(s.replicaStates().get(0).pid()).orElseThrow();
        String limits = Files.readString(Path.of("/proc", Long.toString(jvm), "limits"));
        assertThat(limits).containsPattern("Max open files\\s+1000\\s+1000").containsPattern("Max processes\\s+5000\\s+5000");
    }

    /** The JVM runs inside bwrap's PID namespace, below the process the host started. */
    private static Optional<Long> javaProcess(long pid) {
        return ProcessHandle.of(pid).stream().flatMap(h -> java.util.stream.Stream.concat(java.util.stream.Stream.of(h),
                        h.descendants()))
                .filter(h -> h.info().command().map(c -> c.endsWith("/java")).orElse(false))
                .map(ProcessHandle::pid).findFirst();
    }
}

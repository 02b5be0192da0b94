package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Replacement replicas start at low priority (SCHED_IDLE) and get the normal one back once they caught up. */
class CatchUpPriorityTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private ReplicaGroup group;

    @Test
    void shouldPrefixOnlyAReplacementsCommandWithTheIdlePolicy() {
        assumeTrue(CatchUpPriority.available(), "needs chrt and the right to raise a priority again");
        var config = TestGroups.counter("idle", 3).build();
        ReplicaLauncher launcher = new ReplicaLauncher(config, groups.dir());
        List<String> replacement = launcher.command(0, config.specs().get(0), -1, true, null);
        assertThat(replacement.get(0)).endsWith("chrt");
        assertThat(replacement.subList(1, 3)).containsExactly("--idle", "0");
        assertThat(launcher.command(0, config.specs().get(0), -1, false, null).get(0)).doesNotEndWith("chrt");
    }

    @AfterEach
    void defaultWarmUp() {
        System.clearProperty(CatchUpPriority.WARM_UP_PROPERTY);
    }

    @Test
    @Tag("e2e")
    void shouldGiveAKilledReplicasReplacementTheNormalPriorityBackOnceItCaughtUpAndWarmedUp() throws Exception {
        assumeTrue(CatchUpPriority.available(), "needs chrt and the right to raise a priority again");
        System.setProperty(CatchUpPriority.WARM_UP_PROPERTY, "300");
        group = groups.start(TestGroups.counter("renice", 3, groups.dir()).build(), List.of(events::add));
        for (int i = 1; i <= 200; i++) {
            group.call(utf8("add:1"), Duration.ofSeconds(10));
        }
        group.faults().crash(1).join();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.stream().anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted));
        long pid = group.status().replicaStates().get(1).pid();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(schedStat(pid, POLICY)).as("scheduling policy of every thread (0 = SCHED_OTHER, 5 = SCHED_IDLE)")
                    .isNotEmpty().containsOnly(0);
            assertThat(schedStat(pid, NICE)).as("niceness of every thread").containsOnly(0);
        });
        assertThat(new String(group.call(utf8("get"), Duration.ofSeconds(10)), StandardCharsets.UTF_8)).isEqualTo("200");
        assertThat(group.status().replicaStates().get(1).incarnation()).isEqualTo(2);
    }

    /**
     * A replacement that caught up keeps the catch-up priority while its JIT warms up (the two others serve),
     * but gets the normal one at once when it is needed for the quorum: here another replica is killed.
     */
    @Test
    @Tag("e2e")
    void shouldKeepAWarmingReplacementAtLowPriorityUntilTheQuorumNeedsIt() throws Exception {
        assumeTrue(CatchUpPriority.available() && CatchUpPriority.idlePolicy(), "needs chrt and the right to raise a priority again");
        System.setProperty(CatchUpPriority.WARM_UP_PROPERTY, "600000");
        // Longer timeouts than the tests' usual: a SCHED_IDLE newcomer silent for half the heartbeat timeout counts
        // as starved and gets the normal priority back, as it should on a loaded machine (checked below).
        group = groups.start(TestGroups.counter("warm", 3, groups.dir()).heartbeatTimeout(Duration.ofSeconds(6))
                .deadline(Duration.ofSeconds(6)).build(), List.of(events::add));
        for (int i = 1; i <= 50; i++) {
            group.call(utf8("add:1"), Duration.ofSeconds(10));
        }
        group.faults().crash(1).join();
        await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch(e ->
                e instanceof GroupEvent.RecoveryCompleted rc && rc.replica() == 1));
        long warming = group.status().replicaStates().get(1).pid();
        for (int i = 1; i <= 20; i++) {
            group.call(utf8("add:1"), Duration.ofSeconds(10));
        }
        List<Integer> policies = schedStat(warming, POLICY);
        // Other work starved the newcomer (other test JVMs on two cores): it got the normal priority back by design,
        // and what this test checks did not happen. Not a pass: reported as aborted.
        assumeTrue(group.status().counters().get("catch-up-starved") == 0, "the machine starved the replacement");
        assertThat(policies).as("replica 1 caught up and serves, still SCHED_IDLE (5) while warming up")
                .isNotEmpty().containsOnly(5);

        group.faults().crash(0).join();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(schedStat(warming, POLICY))
                .as("replica 1 is needed for the quorum: normal policy (0) for every thread").isNotEmpty().containsOnly(0));
        await().atMost(Duration.ofSeconds(20)).until(() -> events.stream().anyMatch(e ->
                e instanceof GroupEvent.RecoveryCompleted rc && rc.replica() == 0));
        assertThat(new String(group.call(utf8("get"), Duration.ofSeconds(10)), StandardCharsets.UTF_8)).isEqualTo("70");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Field 19 of /proc/PID/task/TID/stat. */
    private static final int NICE = 19;
    /** Field 41 of /proc/PID/task/TID/stat. */
    private static final int POLICY = 41;

    /** A field of /proc/PID/task/TID/stat for every thread of the process and its descendants. */
    private static List<Integer> schedStat(long pid, int field) throws IOException {
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        List<Integer> out = new ArrayList<>();
        for (long p : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p), "task"))) {
                for (Path t : tasks.toList()) {
                    String stat;
                    try {
                        stat = Files.readString(t.resolve("stat"));
                    } catch (java.nio.file.NoSuchFileException e) {
                        continue; // the thread ended while listed (the JVM retires idle compiler threads)
                    }
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.add(Integer.parseInt(f[field - 3])); // fields after the name start at field 3
                }
            }
        }
        return out;
    }
}

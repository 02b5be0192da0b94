package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.GroupEvent;
import io.resh.host.testing.ReplicaLogsOnFailure;
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
import org.junit.jupiter.api.io.TempDir;

/** Replacement replicas start niced and get the normal priority back once they caught up. */
class CatchUpPriorityTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();
    @TempDir
    Path dir;
    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private ReplicaGroup group;

    @AfterEach
    void stop() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void shouldPrefixOnlyAReplacementsCommandWithNice() {
        assumeTrue(CatchUpPriority.available(), "needs nice, renice and the right to raise a priority again");
        var config = TestGroups.counter("nice", 3).build();
        ReplicaLauncher launcher = new ReplicaLauncher(config, dir);
        List<String> replacement = launcher.command(0, config.specs().get(0), -1, true);
        assertThat(replacement.get(0)).endsWith("nice");
        assertThat(replacement.subList(1, 3)).containsExactly("-n", Integer.toString(CatchUpPriority.niceness()));
        assertThat(launcher.command(0, config.specs().get(0), -1, false).get(0)).doesNotEndWith("nice");
    }

    @Test
    @Tag("e2e")
    void shouldGiveAKilledReplicasReplacementTheNormalPriorityBackOnceItCaughtUp() throws Exception {
        assumeTrue(CatchUpPriority.available(), "needs nice, renice and the right to raise a priority again");
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("renice", 3).build(), List.of(events::add)));
        for (int i = 1; i <= 200; i++) {
            group.call(utf8("add:1"), Duration.ofSeconds(10));
        }
        group.faults().crash(1).join();
        await().atMost(Duration.ofSeconds(20))
                .until(() -> events.stream().anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted));
        long pid = group.status().replicaStates().get(1).pid();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(niceness(pid)).isNotEmpty().containsOnly(0));
        assertThat(new String(group.call(utf8("get"), Duration.ofSeconds(10)), StandardCharsets.UTF_8)).isEqualTo("200");
        assertThat(group.status().replicaStates().get(1).incarnation()).isEqualTo(2);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** The niceness of every thread of the process and its descendants (field 19 of /proc/PID/task/TID/stat). */
    private static List<Integer> niceness(long pid) throws IOException {
        List<Long> pids = new ArrayList<>(List.of(pid));
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        List<Integer> out = new ArrayList<>();
        for (long p : pids) {
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p), "task"))) {
                for (Path t : tasks.toList()) {
                    String stat = Files.readString(t.resolve("stat"));
                    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    out.add(Integer.parseInt(f[16])); // fields after the name start at field 3
                }
            }
        }
        return out;
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A snapshot whose transfer to the host outlasts the heartbeat timeout: the replica sending it is not hung. Its
 * heartbeats wait behind the snapshot in the pipe, and the host hears of the snapshot only once it is whole; before,
 * the host took that silence for a hang and replaced the replica (a 16 MB snapshot under a burst of writes, with 100
 * MB of state).
 */
@Tag("e2e")
class SlowSnapshotTransferTest {
    /** Large writes on the replica's channel pass 64 KiB at a time, 50 ms apart (~1.3 MB/s); small frames at once. */
    private static final String THROTTLE = "binmode STDIN; binmode STDOUT; my $b;"
            + " while (my $n = sysread(STDIN, $b, 65536)) { my $o = 0;"
            + " while ($o < $n) { my $w = syswrite(STDOUT, $b, $n - $o, $o); die \"write: $!\" unless defined $w; $o += $w; }"
            + " select(undef, undef, undef, 0.05) if $n >= 32768; }";

    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    @Test
    void shouldNotTakeAReplicaSendingALargeSnapshotSlowlyForHung() throws Exception {
        Path java = groups.dir().resolve("throttled-java");
        String javaHome = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Files.writeString(java, "#!/bin/sh\n# the replica's JVM, its channel to the host slowed down for large writes\n"
                + "'" + javaHome + "' \"$@\" | exec perl -e '" + THROTTLE + "'\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        List<GroupEvent> events = new CopyOnWriteArrayList<>();
        ReplicaGroup group = groups.start(TestGroups.counter("slow-transfer", 3, groups.dir()).java(java.toString())
                .checkpointEvery(1_000_000).build(), List.of(events::add));
        Duration timeout = Duration.ofSeconds(10);
        group.call("fill:3000000".getBytes(StandardCharsets.UTF_8), timeout); // ~2.3 s through the throttle

        long at = group.checkpointNow();
        await().atMost(Duration.ofSeconds(30)).until(() -> group.stableCheckpoint().sequence() == at);

        assertThat(group.stableCheckpoint().snapshot().length).isGreaterThan(3_000_000);
        assertThat(events).as("no replica is hung for a snapshot still arriving")
                .noneMatch(e -> e instanceof GroupEvent.FaultDetected);
        assertThat(new String(group.call("add:1".getBytes(StandardCharsets.UTF_8), timeout), StandardCharsets.UTF_8))
                .isEqualTo("1");
    }
}

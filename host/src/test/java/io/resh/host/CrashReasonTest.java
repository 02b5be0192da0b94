package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import io.resh.host.testing.ThrowingSnapshotService;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A replica that ended on its own says why in its crash fault, not only "process exited with code 1". */
class CrashReasonTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    @TempDir
    Path dir;

    /** Before: "crash at #2: process exited with code 1", in every replica, and the reason only in their logs. */
    @Test
    @Tag("e2e")
    void shouldQuoteTheThrowableThatEndedTheReplica() {
        ReplicaGroup group = groups.start(TestGroups.of("unsnapshottable", 3, ThrowingSnapshotService.class.getName(),
                groups.dir()).checkpointEvery(2).build(), List.of(events.listener()));
        group.submit("ab".getBytes(StandardCharsets.UTF_8));
        group.submit("ab".getBytes(StandardCharsets.UTF_8));

        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(events.of(GroupEvent.FaultDetected.class,
                f -> f.kind() == FaultKind.CRASH)).first().satisfies(f -> assertThat(f.evidence())
                        .contains("process exited with code 1; its log says: Exception in thread \"main\" "
                                + "java.lang.IllegalStateException: snapshot refused: a socket is not state")
                        .doesNotContain("\n", "\tat ")));
    }

    @Test
    void shouldQuoteOnlyWhatTheLastIncarnationSaid() throws IOException {
        Path log = dir.resolve("replica-0.log");
        Files.writeString(log, """
                resh replica 0 (pid 10) serving com.example.Counter
                Exception in thread "main" java.lang.OutOfMemoryError: Java heap space
                \tat com.example.Counter.execute(Counter.java:12)
                resh replica 0 (pid 11) serving com.example.Counter
                """);

        assertThat(ReplicaGroup.reasonAtEndOfLog(log)).isNull();

        Files.writeString(log, "x".repeat(40_000) + "\nException in thread \"main\" java.lang.OutOfMemoryError: Java heap space\n"
                + "\tat com.example.Counter.execute(Counter.java:12)\n", java.nio.file.StandardOpenOption.APPEND);

        assertThat(ReplicaGroup.reasonAtEndOfLog(log)).isEqualTo("Exception in thread \"main\" java.lang.OutOfMemoryError: Java heap space");
    }
}

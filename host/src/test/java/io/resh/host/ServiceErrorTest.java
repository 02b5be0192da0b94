package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a service throws is its answer (WRITING-A-SERVICE.md): voted and given to the client, no replica lost. */
@Tag("e2e")
class ServiceErrorTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    private final GroupEvents events = new GroupEvents();

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Before: an Error other than StackOverflowError killed every replica's JVM, and the request was failed as poison. */
    @Test
    void shouldAnswerAnAssertionErrorAsAServiceError() throws Exception {
        ReplicaGroup group = groups.start(TestGroups.counter("asserts", 3, groups.dir()).build(), List.of(events.listener()));
        CompletableFuture<byte[]> failing = group.submit(utf8("assert"));
        CompletableFuture<byte[]> behind = group.submit(utf8("add:1"));

        Throwable thrown = catchThrowable(() -> failing.get(20, TimeUnit.SECONDS));
        assertThat(thrown).hasCauseInstanceOf(ServiceErrorException.class);
        assertThat(thrown.getCause()).hasMessageContaining("java.lang.AssertionError: asked to fail an assertion at #1");
        assertThat(new String(behind.get(20, TimeUnit.SECONDS), StandardCharsets.UTF_8)).isEqualTo("1");
        assertThat(group.call(utf8("add:1"), Duration.ofSeconds(10))).asString(StandardCharsets.UTF_8).isEqualTo("2");
        assertThat(events.of(GroupEvent.FaultDetected.class)).isEmpty();
        assertThat(group.status().replicaStates()).allSatisfy(r -> assertThat(r.incarnation()).isEqualTo(1));
    }
}

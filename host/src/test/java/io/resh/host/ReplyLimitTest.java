package io.resh.host;

import static io.resh.host.testing.Replies.call;
import static io.resh.host.testing.Replies.failure;
import static io.resh.host.testing.Replies.utf8;
import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.GroupEvent;
import io.resh.host.testing.GroupEvents;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A reply larger than {@code limits.maxRequestBytes}, which every replica computes alike: that request gets a
 * service error saying so, nothing else. Before, the host took each replica's oversized reply frame for garbage
 * on its channel, replaced the replica, and every replacement replayed the request and sent it again.
 */
@Tag("e2e")
class ReplyLimitTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private final GroupEvents events = new GroupEvents();

    @Test
    void shouldAnswerAReplyOverTheLimitWithAServiceErrorAndBlameNoReplica() {
        ReplicaGroup group = groups.start(TestGroups.counter("bigreply", 3, groups.dir()).maxRequestBytes(1024).build(),
                List.of(events.listener()));
        assertThat(call(group, "add:1")).isEqualTo("1");
        assertThat(call(group, "fill:2000")).isEqualTo("filled 2000");

        assertThat(failure(group.submit(utf8("dump")))).isInstanceOf(ServiceErrorException.class)
                .hasMessageContaining("reply of 2000 bytes exceeds limits.maxRequestBytes (1024)");

        assertThat(call(group, "add:1")).isEqualTo("2");
        assertThat(call(group, "fill:100")).isEqualTo("filled 100");
        assertThat(group.submit(utf8("dump")).join()).hasSize(100);
        assertThat(events.of(GroupEvent.FaultDetected.class)).as("no replica is blamed for what every one computed").isEmpty();
        assertThat(group.status().replicaStates()).allSatisfy(r -> assertThat(r.incarnation()).isEqualTo(1));
    }
}

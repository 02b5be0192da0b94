package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.TestGroups;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A replica is in a process group of its own (out of reach of the terminal's Ctrl-C, which goes to the host's
 * foreground group) but in the host's session. In a session of its own ({@code setsid}) the kernel's autogroup
 * scheduling gave each replica as much CPU as the host's every thread together, and a catching-up replacement's
 * low priority no longer applied: kv-small's half-peak TMR p99 went from 4 to 15-31 ms.
 */
class OwnProcessGroupTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();

    @Test
    void shouldStartEachReplicaInItsOwnProcessGroupButInTheHostsSession() throws IOException {
        assumeTrue(!OwnProcessGroup.prefix().isEmpty(), "needs perl");
        ReplicaGroup group = groups.start(TestGroups.counter("pgrp", 3, groups.dir()).build());
        long[] host = groupAndSession(ProcessHandle.current().pid());

        for (ReplicaStatus r : group.status().replicaStates()) {
            long[] replica = groupAndSession(r.pid());
            assertThat(replica[0]).as("replica %d's process group", r.index()).isEqualTo(r.pid()).isNotEqualTo(host[0]);
            assertThat(replica[1]).as("replica %d's session", r.index()).isEqualTo(host[1]);
        }
    }

    /** {pgrp, session} from /proc/PID/stat (fields 5 and 6, after the command name in parentheses). */
    private static long[] groupAndSession(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[2]), Long.parseLong(f[3])};
    }
}

package io.resh.host.testing;

import io.resh.host.ReplicaGroup;
import io.resh.host.ReplicaStatus;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A host process for shutdown tests: starts a TMR group, SIGSTOPs one replica, prints
 * {@code pids P0 P1 P2} and exits through {@link System#exit} without closing the group, as a host killed
 * by SIGTERM or ending its main method would.
 */
public final class HostThatExits {
    private HostThatExits() {
    }

    public static void main(String[] args) throws Exception {
        String workDir = args[0];
        ReplicaGroup group = ReplicaGroup.start(TestGroups.counter("exiting", 3).workDir(workDir)
                .heartbeatTimeout(Duration.ofSeconds(30)).deadline(Duration.ofSeconds(30)).build());
        group.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20));
        group.faults().hang(1).get(10, TimeUnit.SECONDS);
        String pids = group.status().replicaStates().stream().map(ReplicaStatus::pid).map(String::valueOf)
                .collect(Collectors.joining(" "));
        System.out.println("pids " + pids);
        System.out.flush();
        System.exit(0);
    }
}

package io.resh.host.testing;

import io.resh.host.ReplicaGroup;
import java.time.Duration;

/**
 * A host process for shutdown tests: starts a group of {@link SlowStartService} replicas in a temporary
 * work directory and waits in {@link ReplicaGroup#start} until its JVM is stopped (SIGTERM, Ctrl-C).
 */
public final class HostThatStopsWhileStarting {
    private HostThatStopsWhileStarting() {
    }

    public static void main(String[] args) {
        ReplicaGroup.start(TestGroups.of(args[0], 3, SlowStartService.class.getName())
                .startTimeout(Duration.ofSeconds(120)).build());
    }
}

package io.resh.cli.bench;

import io.resh.core.GroupEvent;
import io.resh.core.config.GroupConfig;
import io.resh.host.ReplicaGroup;
import io.resh.host.ReplicaStatus;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * A replica group driven through its in-process {@link ReplicaGroup#submit} API. It also keeps the
 * faults the group detected while it ran: on an overloaded machine a replica can miss its heartbeat
 * deadline and be replaced, which the report must say, since it moves the numbers.
 */
final class GroupTarget implements Target {
    private static final int MAX_FAULTS_KEPT = 20;
    private final ReplicaGroup group;
    private final String label;
    private final List<String> faults;

    private GroupTarget(ReplicaGroup group, String label, List<String> faults) {
        this.group = group;
        this.label = label;
        this.faults = faults;
    }

    static GroupTarget start(GroupConfig config) {
        return start(config, null);
    }

    /** Starts a group; {@code label} null means {@code N=<replicas> submit}. */
    static GroupTarget start(GroupConfig config, String label) {
        List<String> faults = Collections.synchronizedList(new ArrayList<>());
        Consumer<GroupEvent> keep = e -> {
            if (e instanceof GroupEvent.FaultDetected f && faults.size() < MAX_FAULTS_KEPT) {
                faults.add(f.group() + ": replica " + f.replica() + " " + f.kind().label() + " " + f.at()
                        + ": " + f.evidence());
            }
        };
        return new GroupTarget(ReplicaGroup.start(config, List.of(keep)),
                label != null ? label : "N=" + config.replicas() + " submit", faults);
    }

    ReplicaGroup group() {
        return group;
    }

    /** The faults the group detected so far, oldest first (at most {@value #MAX_FAULTS_KEPT}). */
    List<String> faults() {
        synchronized (faults) {
            return List.copyOf(faults);
        }
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public CompletableFuture<byte[]> send(byte[] request) {
        return group.submit(request);
    }

    @Override
    public List<CompletableFuture<byte[]>> sendAll(List<byte[]> requests) {
        return group.submitAll(requests);
    }

    @Override
    public List<Long> processes() {
        return replicaProcesses(group);
    }

    static List<Long> replicaProcesses(ReplicaGroup group) {
        return group.status().replicaStates().stream().mapToLong(ReplicaStatus::pid).filter(p -> p > 0).boxed().toList();
    }

    @Override
    public void close() {
        group.close();
    }
}

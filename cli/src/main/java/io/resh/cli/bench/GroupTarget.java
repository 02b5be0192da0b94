package io.resh.cli.bench;

import io.resh.core.config.GroupConfig;
import io.resh.host.ReplicaGroup;
import io.resh.host.ReplicaStatus;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A replica group driven through its in-process {@link ReplicaGroup#submit} API. */
final class GroupTarget implements Target {
    private final ReplicaGroup group;
    private final String label;

    private GroupTarget(ReplicaGroup group, String label) {
        this.group = group;
        this.label = label;
    }

    static GroupTarget start(GroupConfig config) {
        return start(config, null);
    }

    /** Starts a group; {@code label} null means {@code N=<replicas> submit}. */
    static GroupTarget start(GroupConfig config, String label) {
        return new GroupTarget(ReplicaGroup.start(config), label != null ? label : "N=" + config.replicas() + " submit");
    }

    ReplicaGroup group() {
        return group;
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

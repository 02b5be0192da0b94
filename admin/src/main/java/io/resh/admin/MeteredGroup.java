package io.resh.admin;

import io.resh.host.ReplicaGroup;
import java.util.concurrent.CompletableFuture;

/**
 * A {@link ReplicaGroup} whose requests are timed into the vote-latency metrics. Every voted reply of a
 * watched group is timed now, however it was submitted, so this is a plain pass-through kept for existing
 * callers: submit to the group directly.
 *
 * @deprecated the admin server times every reply; use {@link ReplicaGroup#submit} directly
 */
@Deprecated
public final class MeteredGroup {
    private final ReplicaGroup group;

    MeteredGroup(ReplicaGroup group) {
        this.group = group;
    }

    /** Same as {@link ReplicaGroup#submit}. */
    public CompletableFuture<byte[]> submit(byte[] request) {
        return group.submit(request);
    }

    public ReplicaGroup group() {
        return group;
    }
}

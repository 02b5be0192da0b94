package io.resh.host;

import io.resh.core.InjectedFault;
import java.util.concurrent.CompletableFuture;

/**
 * Injects real faults into a running group's replicas: signals to the process (crash = SIGKILL,
 * hang = SIGSTOP) or a fault the replica runtime carries out inside the replica (a flipped bit in a reply
 * or in live state, a plausible wrong reply, garbage on the IPC channel, a delayed reply). Each injection
 * is also an event, so campaigns and dashboards can line it up with what the host detected.
 */
public final class FaultInjector {
    private final ReplicaGroup group;

    FaultInjector(ReplicaGroup group) {
        this.group = group;
    }

    /**
     * Injects {@code fault} into replica {@code replica}.
     *
     * @param arg the fault's parameter: bit index, random seed or delay in ms (see {@link InjectedFault})
     * @return completes with what was done (for state corruption: which field, index and bit) once the
     *     replica carried it out
     */
    public CompletableFuture<String> inject(InjectedFault fault, int replica, long arg) {
        return group.inject(replica, fault, arg);
    }

    public CompletableFuture<String> crash(int replica) {
        return inject(InjectedFault.CRASH, replica, 0);
    }

    public CompletableFuture<String> hang(int replica) {
        return inject(InjectedFault.HANG, replica, 0);
    }

    public CompletableFuture<String> corruptNextReply(int replica, long bit) {
        return inject(InjectedFault.REPLY_CORRUPTION, replica, bit);
    }

    public CompletableFuture<String> corruptState(int replica, long seed) {
        return inject(InjectedFault.STATE_CORRUPTION, replica, seed);
    }
}

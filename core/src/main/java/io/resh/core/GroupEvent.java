package io.resh.core;

/**
 * Something that happened to a replica group: a fault, a recovery, a checkpoint. Every fault and
 * every recovery is one event; listeners (event log, metrics, campaigns, the dashboard) see them all
 * in the order the group's owner thread produced them.
 *
 * <p>{@code replica} is the slot index (0-based), {@code cpu} the core the replica was pinned to or -1.
 */
public sealed interface GroupEvent {

    long timeMillis();

    String group();

    /** Short kebab-case name of the event type, as written to the event log. */
    String type();

    /** A fault the host detected, with the evidence it acted on. */
    record FaultDetected(long timeMillis, String group, int replica, int cpu, long sequence,
                         FaultKind kind, String evidence) implements GroupEvent {
        @Override
        public String type() {
            return "fault";
        }
    }

    /** A fault was deliberately injected (campaign, admin API, demo). */
    record FaultInjected(long timeMillis, String group, int replica, int cpu, long sequence,
                         String fault, String detail) implements GroupEvent {
        @Override
        public String type() {
            return "injected";
        }
    }

    /** A replica process started (first start, recovery or rejuvenation). */
    record ReplicaStarted(long timeMillis, String group, int replica, int cpu, long pid, int incarnation,
                          String version) implements GroupEvent {
        @Override
        public String type() {
            return "replica-started";
        }
    }

    /** The host began replacing a replica. */
    record RecoveryStarted(long timeMillis, String group, int replica, int cpu, long sequence,
                           String reason) implements GroupEvent {
        @Override
        public String type() {
            return "recovery-started";
        }
    }

    /** A replaced replica restored the stable snapshot, replayed the log tail and rejoined the vote. */
    record RecoveryCompleted(long timeMillis, String group, int replica, int cpu, long sequence,
                             long durationMillis, long replayed) implements GroupEvent {
        @Override
        public String type() {
            return "recovered";
        }
    }

    /** f+1 replicas reported the same state digest: a new stable checkpoint. */
    record CheckpointStable(long timeMillis, String group, long sequence, Digest digest, long snapshotBytes)
            implements GroupEvent {
        @Override
        public String type() {
            return "checkpoint";
        }
    }

    /** DMR: a mismatch made the group roll back to the stable checkpoint and re-execute. */
    record RolledBack(long timeMillis, String group, long checkpoint, long mismatchAt, String evidence)
            implements GroupEvent {
        @Override
        public String type() {
            return "rollback";
        }
    }

    /** The group stopped answering rather than release an unvoted value. */
    record FailStopped(long timeMillis, String group, long sequence, String detail) implements GroupEvent {
        @Override
        public String type() {
            return "fail-stop";
        }
    }
}

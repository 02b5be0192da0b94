package io.resh.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

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

    /**
     * Every {@link #type()} name, in the order docs/OBSERVABILITY.md lists them: what an event filter
     * ({@code resh events --type}) accepts. A new event type has to be added here too.
     */
    static List<String> types() {
        return List.of("fault", "injected", "recovery-started", "replica-started", "recovered", "checkpoint", "rollback",
                "fail-stop", "poison-request", "unreplayable-request", "core-suspected", "core-cleared", "replica-moved",
                "backed-off", "version-quarantined", "version-released", "rejuvenated", "self-repaired", "redundancy");
    }

    /**
     * The event types a filter names: comma-separated {@link #types()} names ({@code "fault,recovered"});
     * spaces around a name are ignored.
     *
     * @throws IllegalArgumentException one line listing the known types and naming the unknown one (or the missing one)
     */
    static Set<String> parseTypes(String list) {
        Set<String> out = new LinkedHashSet<>();
        for (String name : list.split(",", -1)) {
            String type = name.trim();
            if (!types().contains(type)) {
                throw new IllegalArgumentException("expected event types among " + String.join(", ", types()) + ", got "
                        + (type.isEmpty() ? "an empty one in '" + list + "'" : "'" + type + "'"));
            }
            out.add(type);
        }
        return out;
    }

    /**
     * A fault the host detected, with the evidence it acted on.
     *
     * @param evidence one line for people
     * @param details the same evidence as data, for tools; empty when there is nothing beyond the prose. For
     *     a divergence it compares named values, the expected one first: {@code voted} and {@code replica}
     *     for a reply; {@code stable} and {@code replica} for a state digest; {@code voted} and {@code
     *     snapshot} for a snapshot that does not hash to the digest it was voted under. See {@link #DIGEST}
     *     and the other key suffixes.
     * @param idle the replica held no request when it failed (it had answered every one it was sent): then
     *     {@code sequence} is the last request it answered, the fault happened after it, and no request is to blame.
     *     Otherwise {@code sequence} is the request the fault is about
     */
    record FaultDetected(long timeMillis, String group, int replica, int cpu, long sequence,
                         FaultKind kind, String evidence, Map<String, String> details, boolean idle) implements GroupEvent {
        /** {@code NAME.digest}: the value's SHA-256 in hex. */
        public static final String DIGEST = ".digest";
        /** {@code NAME.bytes}: the value's length in bytes. */
        public static final String BYTES = ".bytes";
        /** {@code NAME.snippet}: hex of up to 8 bytes of the value from {@link #OFFSET}. */
        public static final String SNIPPET = ".snippet";
        /** {@code NAME.text}: the same bytes as printable ASCII, other bytes as '.'. */
        public static final String TEXT = ".text";
        /**
         * {@code NAME.status}: for a reply, its status as the service returned it: {@code ok}, {@code service error},
         * or the byte in hex. Offsets and sizes are those of the reply's value, after the status.
         */
        public static final String STATUS = ".status";
        /** {@code offset}: the first byte at which the values differ (the shorter length if one is a prefix). */
        public static final String OFFSET = "offset";

        public FaultDetected {
            details = ordered(details);
        }

        /** A fault about request {@code sequence}. */
        public FaultDetected(long timeMillis, String group, int replica, int cpu, long sequence, FaultKind kind,
                             String evidence, Map<String, String> details) {
            this(timeMillis, group, replica, cpu, sequence, kind, evidence, details, false);
        }

        /** A fault about request {@code sequence}, with prose evidence only. */
        public FaultDetected(long timeMillis, String group, int replica, int cpu, long sequence, FaultKind kind,
                             String evidence) {
            this(timeMillis, group, replica, cpu, sequence, kind, evidence, Map.of());
        }

        /**
         * Where the fault happened, for a line of text: {@code at #41}, or {@code while idle, after request #40}
         * ({@code while idle, before any request} on a group that has answered none).
         */
        public String at() {
            return kind == FaultKind.START_FAILURE ? STARTING : where(sequence, idle);
        }

        /**
         * Where a start failure happened: before the replica could take any request, so its sequence number (0, or
         * the checkpoint a failed restore was of) names no request.
         */
        public static final String STARTING = "while starting";

        /** {@link #at()} for a fault known only by its sequence number and idle flag (an event log line). */
        public static String where(long sequence, boolean idle) {
            if (!idle) {
                return "at #" + sequence;
            }
            return sequence > 0 ? "while idle, after request #" + sequence : "while idle, before any request";
        }

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

    /**
     * DMR: a mismatch made the group roll back to the stable checkpoint and re-execute.
     *
     * @param details the two values that differed, named {@code replica0} and {@code replica1}, keyed like
     *     {@link FaultDetected#details()}; empty when not known
     */
    record RolledBack(long timeMillis, String group, long checkpoint, long mismatchAt, String evidence,
                      Map<String, String> details) implements GroupEvent {
        public RolledBack {
            details = ordered(details);
        }

        /** A roll-back with prose evidence only. */
        public RolledBack(long timeMillis, String group, long checkpoint, long mismatchAt, String evidence) {
            this(timeMillis, group, checkpoint, mismatchAt, evidence, Map.of());
        }

        @Override
        public String type() {
            return "rollback";
        }
    }

    /**
     * A request killed or hung every live replica that executed it (a "query of death": each crashed, or gave
     * no reply within the deadline). Its client got an error; the replacements restore the stable checkpoint
     * and replay the log without it. Each death is also a {@link FaultDetected} of kind crash or hang.
     *
     * @param replicasKilled the replica slots it killed or hung
     * @param processesKilled the replica processes it killed or hung (replacements that replayed it included)
     * @param evidence one line for people, as the client got it
     */
    record PoisonRequest(long timeMillis, String group, long sequence, int replicasKilled, int processesKilled,
                         String evidence) implements GroupEvent {
        @Override
        public String type() {
            return "poison-request";
        }
    }

    /**
     * A voting gateway (ordered mode) found a request that kills every server replaying it, though servers answered it
     * (or, in flight, may yet): its client had or may yet have its answer, so unlike a {@link PoisonRequest} it is kept
     * in the replay log, and no failed server can be rebuilt by replay past it. The gateway runs on the servers that
     * executed it and keeps restarting the others with back-off until the server is fixed and a replacement replays
     * it. Once per such request; each failure is also a {@link FaultDetected}, the one that found it ending with
     * {@code evidence}.
     *
     * @param request the request as the gateway names it, e.g. {@code request #3 (EXIT)}
     * @param replacementsFailed replacements that crashed or hung replaying it alone, as counted: those of f+1
     *     servers that made it suspect, then those of f+1 that failed at it again
     * @param replicasExecuted the servers that executed it, which the gateway runs on
     * @param replicasNotRebuilt the servers that cannot be rebuilt by replay while it fails every replay
     * @param serving {@code replicasExecuted} are enough (f+1) to agree on answers; if not, clients get errors
     * @param evidence one line for people, with what the operator can do (the gateway status' {@code
     *     unreplayableRequest})
     */
    record UnreplayableRequest(long timeMillis, String group, long sequence, String request, int replacementsFailed,
                               int replicasExecuted, int replicasNotRebuilt, boolean serving, String evidence)
            implements GroupEvent {
        @Override
        public String type() {
            return "unreplayable-request";
        }
    }

    /** The group stopped answering rather than release an unvoted value. */
    record FailStopped(long timeMillis, String group, long sequence, String detail) implements GroupEvent {
        @Override
        public String type() {
            return "fail-stop";
        }
    }

    /**
     * A core's reputation fell below the suspect threshold: faults keep happening in whatever replica runs
     * on it. It is no longer used while other cores are; replicas on it are moved off.
     *
     * @param faults faults charged to this core so far
     * @param evidence the replicas and versions the faults were seen in, and their own scores
     */
    record CoreSuspected(long timeMillis, String group, int cpu, double reputation, long faults, String evidence)
            implements GroupEvent {
        @Override
        public String type() {
            return "core-suspected";
        }
    }

    /** A suspect core's reputation recovered (old evidence faded): it is used again. */
    record CoreCleared(long timeMillis, String group, int cpu, double reputation) implements GroupEvent {
        @Override
        public String type() {
            return "core-cleared";
        }
    }

    /** A running replica was re-pinned to another core (rotation, balance, or leaving a suspect core). */
    record ReplicaMoved(long timeMillis, String group, int replica, int fromCpu, int toCpu, String reason)
            implements GroupEvent {
        @Override
        public String type() {
            return "replica-moved";
        }
    }

    /** A slot exceeded its restart intensity: its next restart waits {@code delayMillis}. */
    record BackedOff(long timeMillis, String group, int replica, int restarts, long windowMillis, long delayMillis)
            implements GroupEvent {
        @Override
        public String type() {
            return "backed-off";
        }
    }

    /**
     * The slots of one version restarted more than the version limit within the window: the version is out
     * of service until {@code untilMillis}. Its slots run {@code replacement} meanwhile, or stay backed off
     * when {@code replacement} is empty (no other version configured).
     */
    record VersionQuarantined(long timeMillis, String group, String version, int restarts, long windowMillis,
                              long untilMillis, String replacement) implements GroupEvent {
        @Override
        public String type() {
            return "version-quarantined";
        }
    }

    /** A quarantined version's time is up: slots return to it at their next start. */
    record VersionReleased(long timeMillis, String group, String version) implements GroupEvent {
        @Override
        public String type() {
            return "version-released";
        }
    }

    /** A healthy replica was replaced proactively by a fresh process and has rejoined the vote. */
    record Rejuvenated(long timeMillis, String group, int replica, int cpu, long sequence, long durationMillis)
            implements GroupEvent {
        @Override
        public String type() {
            return "rejuvenated";
        }
    }

    /**
     * The supervisor found its own bookkeeping violating an invariant and repaired it.
     *
     * @param invariant which invariant (e.g. {@code live-has-process}, {@code log-contiguous})
     * @param found what was wrong
     * @param repair what was done
     */
    record SelfRepaired(long timeMillis, String group, String invariant, String found, String repair)
            implements GroupEvent {
        @Override
        public String type() {
            return "self-repaired";
        }
    }

    /** Adaptive redundancy switched mode ({@code dmr} or {@code tmr}). */
    record RedundancyChanged(long timeMillis, String group, String from, String to, String reason)
            implements GroupEvent {
        @Override
        public String type() {
            return "redundancy";
        }
    }

    /** An unmodifiable copy that keeps the caller's order (the expected value first); null becomes empty. */
    private static Map<String, String> ordered(Map<String, String> details) {
        return details == null || details.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(details));
    }
}

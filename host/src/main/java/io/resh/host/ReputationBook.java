package io.resh.host;

import io.resh.core.FaultKind;
import io.resh.core.Reputation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The trust the supervisor keeps in each replica slot, each service version and each CPU core. A fault
 * is charged to all three subjects it happened under — except to the core when it can't be the
 * hardware's doing (a process that never started, a forbidden write). Correct votes credit all three.
 * A core whose score falls below the threshold becomes suspect; it is cleared once its score has
 * recovered half-way back to full trust (old evidence faded). Touched only by the group loop thread.
 */
final class ReputationBook {
    private final Duration halfLife;
    private final double voteCredit;
    private final double suspectBelow;
    private final Reputation[] slots;
    /** Per slot: the version label it last voted under and that version's reputation (a one-entry cache). */
    private final String[] votedLabel;
    private final Reputation[] votedVersion;
    private final Map<String, Reputation> versions = new LinkedHashMap<>();
    private final Map<Integer, Reputation> cores = new TreeMap<>();
    private final TreeSet<Integer> suspect = new TreeSet<>();
    /** Per core: which slots and versions its faults were seen in, for the suspicion event's evidence. */
    private final Map<Integer, Map<String, Integer>> coreWitnesses = new TreeMap<>();

    ReputationBook(int slotCount, List<String> versionLabels, List<Integer> coreIds, Duration halfLife,
                   double voteCredit, double suspectBelow) {
        this.halfLife = halfLife;
        this.voteCredit = voteCredit;
        this.suspectBelow = suspectBelow;
        this.slots = new Reputation[slotCount];
        this.votedLabel = new String[slotCount];
        this.votedVersion = new Reputation[slotCount];
        for (int i = 0; i < slotCount; i++) {
            slots[i] = fresh();
        }
        versionLabels.forEach(this::version);
        coreIds.forEach(this::core);
    }

    private Reputation fresh() {
        return new Reputation(halfLife, voteCredit);
    }

    Reputation slot(int index) {
        return slots[index];
    }

    Reputation version(String label) {
        return versions.computeIfAbsent(label, k -> fresh());
    }

    Reputation core(int cpu) {
        return cores.computeIfAbsent(cpu, k -> fresh());
    }

    Map<String, Reputation> versions() {
        return versions;
    }

    Map<Integer, Reputation> cores() {
        return cores;
    }

    /** Hardware can flip bits, stop a process or kill it; it can't make a process fail to start or write outside its sandbox. */
    static boolean mayBeTheCore(FaultKind kind) {
        return kind != FaultKind.START_FAILURE && kind != FaultKind.CONTRACT_VIOLATION;
    }

    /**
     * Charges a fault. Returns true if it made {@code cpu} newly suspect.
     *
     * @param cpu the core the replica was pinned to, or -1
     */
    boolean fault(int slot, String version, int cpu, FaultKind kind, long now) {
        slots[slot].fault(now, 1);
        version(version).fault(now, 1);
        if (cpu < 0 || !mayBeTheCore(kind)) {
            return false;
        }
        core(cpu).fault(now, 1);
        coreWitnesses.computeIfAbsent(cpu, k -> new TreeMap<>()).merge("replica " + slot + " (" + version + ")", 1, Integer::sum);
        if (!suspect.contains(cpu) && core(cpu).score(now) < suspectBelow) {
            suspect.add(cpu);
            return true;
        }
        return false;
    }

    /**
     * Takes back a fault charged by {@link #fault} at {@code faultNanos} that was not the replica's, its version's
     * or its core's doing (a request of death). A core it had made suspect is cleared by {@link #cleared} once
     * its score is back, as after any fault that faded.
     */
    void forgive(int slot, String version, int cpu, FaultKind kind, long faultNanos, long now) {
        slots[slot].forgive(faultNanos, 1, now);
        version(version).forgive(faultNanos, 1, now);
        if (cpu < 0 || !mayBeTheCore(kind)) {
            return;
        }
        core(cpu).forgive(faultNanos, 1, now);
        Map<String, Integer> witnesses = coreWitnesses.get(cpu);
        if (witnesses != null) {
            witnesses.computeIfPresent("replica " + slot + " (" + version + ")", (k, n) -> n > 1 ? n - 1 : null);
        }
    }

    /** A correct vote: credits slot, version and core (cheap; folded in later). */
    void vote(int slot, String version, int cpu) {
        slots[slot].vote();
        Reputation v;
        if (votedLabel[slot] == version) { // the same spec's label: skip hashing it on every reply
            v = votedVersion[slot];
        } else {
            v = version(version);
            votedLabel[slot] = version;
            votedVersion[slot] = v;
        }
        v.vote();
        if (cpu >= 0) {
            core(cpu).vote();
        }
    }

    boolean suspect(int cpu) {
        return suspect.contains(cpu);
    }

    java.util.Set<Integer> suspects() {
        return suspect;
    }

    /**
     * Suspect cores whose score recovered half-way from the threshold to full trust (hysteresis: a core
     * does not flap in and out of suspicion); they are no longer suspect.
     */
    List<Integer> cleared(long now) {
        List<Integer> out = new ArrayList<>();
        for (int cpu : new ArrayList<>(suspect)) {
            if (core(cpu).score(now) >= (1 + suspectBelow) / 2) {
                suspect.remove(cpu);
                coreWitnesses.remove(cpu);
                out.add(cpu);
            }
        }
        return out;
    }

    /** "faults in replica 0 (jdk) ×2, replica 1 (bc) ×2; replica scores 0.62, 0.58, 1.00". */
    String evidence(int cpu, long now) {
        StringBuilder sb = new StringBuilder("faults on core ").append(cpu).append(" in ");
        Map<String, Integer> w = coreWitnesses.getOrDefault(cpu, Map.of());
        sb.append(w.size()).append(w.size() == 1 ? " replica: " : " different replicas: ");
        w.forEach((k, v) -> sb.append(k).append(" x").append(v).append(", "));
        sb.append("core score ").append(fmt(core(cpu).score(now))).append(" < ").append(fmt(suspectBelow))
                .append("; replica scores");
        for (Reputation r : slots) {
            sb.append(' ').append(fmt(r.score(now)));
        }
        return sb.toString();
    }

    static String fmt(double d) {
        return String.format(java.util.Locale.ROOT, "%.2f", d);
    }
}

package io.resh.host;

import io.resh.core.FaultKind;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Tells a request of death from a replica that just crashed or hung. A replica <em>dies of</em> a request
 * when its process exits on its own (a crash) or when it is found hung holding it (no reply within the
 * deadline; the host kills it right after). The suspect is the oldest request that such a replica had been
 * sent and that no replica has yet survived (answered, or executed before being replaced): everything before
 * it in that replica's queue was executed by others, so it died on the suspect or later. A death is
 * <em>conclusive</em> when the suspect was the last request the replica had been sent: then it died on the
 * suspect itself. (Replies are flushed at the end of a batch, so a replica that dies or hangs in a batch
 * takes the replies it owed for earlier requests with it; its death only says "one of these".)
 *
 * <p>The suspect is poison once every live replica has died of it conclusively — a replica still executing
 * it may yet answer — and at least two processes died of it (N = 1: the replica and its replacement), so
 * a single crash of the only replica, e.g. by the kernel's OOM killer, is not taken for poison. Crashes and
 * hangs count alike, mixed or not, except that deaths that could all have come from outside also need a
 * replacement that died of it: hangs (a replica stopped, or not run), and exits by a signal other processes
 * send (an operator's {@code kill -9} of every replica at once). Pure: the group loop tells it every such
 * death and asks; touched only by the loop thread.
 */
final class PoisonWatch {
    /**
     * One death blamed on the suspect; {@code cpu} is the core its replica was pinned to (-1 if none), {@code
     * atNanos} is when the loop saw it (its restart and its fault's reputation are counted right after), {@code
     * how} is {@link FaultKind#CRASH} or {@link FaultKind#HANG}, {@code signalled} that a crash was an exit by
     * a signal other processes send ({@link Signals#endedByOutsideSignal}), {@code evidence} what the client is
     * told of it (an exit code, the deadline missed).
     */
    record Death(int slot, String version, int cpu, long atNanos, boolean conclusive, FaultKind how, boolean signalled,
                 String evidence) {
        /** Something outside the replica could have done this, so it says little about the request on its own. */
        boolean couldComeFromOutside() {
            return how == FaultKind.HANG || signalled;
        }
    }

    private long suspect;
    private final BitSet conclusive = new BitSet();
    private final List<Death> deaths = new ArrayList<>();

    /** The request under suspicion, or 0 for none. */
    long suspect() {
        return suspect;
    }

    /**
     * A replica crashed or hung; {@code seq} is the oldest request it had been sent that nobody survived, and
     * {@code death.conclusive()} says that {@code seq} was the last request it had been sent.
     */
    void died(long seq, Death death) {
        if (suspect != 0 && seq > suspect) {
            return; // it survived the suspect itself: nothing to say about it
        }
        if (seq != suspect) {
            clear();
            suspect = seq;
        }
        deaths.add(death);
        if (death.conclusive()) {
            conclusive.set(death.slot());
        }
    }

    /**
     * Whether the suspect is now known to be poison.
     *
     * @param live the slots whose replica runs or is being started (not dormant, not backing off, not stopped)
     */
    boolean poisoned(BitSet live) {
        if (suspect == 0 || live.isEmpty() || !enoughDeaths()) {
            return false;
        }
        BitSet notYet = (BitSet) live.clone();
        notYet.andNot(conclusive);
        return notYet.isEmpty();
    }

    /**
     * The slot died of the suspect conclusively and at least two processes did: a replacement of it need not
     * be sent the suspect again (with fewer, it must: N = 1 needs the second death).
     */
    boolean diedOf(int slot) {
        return suspect != 0 && enoughDeaths() && conclusive.get(slot);
    }

    /**
     * At least two processes died of the suspect, and, when each of those deaths could have come from outside,
     * one slot's replacement died of it too: every replica stopped or killed from outside, or a machine that ran
     * none of them for longer than the deadline while the host ran, looks like one round of such deaths; a fresh
     * process that dies in the same request again does not.
     */
    private boolean enoughDeaths() {
        if (deaths.size() < 2) {
            return false;
        }
        for (Death d : deaths) {
            if (!d.couldComeFromOutside()) {
                return true;
            }
        }
        return deaths.size() > replicasKilled();
    }

    /** The crashes blamed on the suspect, oldest first. */
    List<Death> deaths() {
        return List.copyOf(deaths);
    }

    /** How many different replica slots the suspect killed. */
    int replicasKilled() {
        BitSet slots = new BitSet();
        deaths.forEach(d -> slots.set(d.slot()));
        return slots.cardinality();
    }

    /** The suspect was survived, answered, dropped or skipped: suspect nothing. */
    void clear() {
        suspect = 0;
        conclusive.clear();
        deaths.clear();
    }

    /** The client's error for the suspect, in a group of {@code groupSize} replicas (see the static form). */
    String verdict(int groupSize) {
        String crash = null;
        String hang = null;
        for (Death d : deaths) {
            if (d.how() == FaultKind.HANG) {
                hang = d.evidence();
            } else {
                crash = d.evidence();
            }
        }
        return verdict(suspect, replicasKilled(), deaths.size(), groupSize, crash, hang);
    }

    /**
     * The client's error for a poison request, e.g. {@code request #7 killed all 3 replicas (crash: process
     * exited with code 70); it was skipped (no replica's state includes it) and will not be retried}, {@code request #7 hung all 3
     * replicas (no reply within 2s); ...} or, when some crashed and some hung, {@code request #7 killed or hung
     * all 3 replicas (crash: ...; hang: no reply within 2s); ...}.
     *
     * @param crash what the last crash said, null if none crashed
     * @param hang what the last hang said, null if none hung
     */
    static String verdict(long seq, int replicas, int processes, int groupSize, String crash, String hang) {
        String did = hang == null ? "killed" : crash == null ? "hung" : "killed or hung";
        String who;
        if (groupSize == 1) {
            who = did + " the replica and " + (processes == 2 ? "its replacement" : (processes - 1) + " replacements");
        } else if (replicas == groupSize) {
            who = did + " all " + replicas + " replicas";
        } else {
            who = did + " every live replica (" + replicas + " of " + groupSize + ")";
        }
        if (processes > replicas && groupSize > 1) {
            who += ", " + processes + " processes in all";
        }
        String evidence = hang == null ? "crash: " + crash : crash == null ? hang : "crash: " + crash + "; hang: " + hang;
        return "request #" + seq + " " + who + " (" + evidence + "); it was skipped (no replica's state includes it) and will not be retried";
    }
}

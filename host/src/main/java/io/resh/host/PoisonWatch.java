package io.resh.host;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * Tells a request of death from a replica that just crashed. The suspect is the oldest request that a
 * crashed replica had been sent and that no replica has yet survived (answered, or executed before being
 * replaced): everything before it in that replica's queue was executed by others, so it died on the
 * suspect or later. A crash is <em>conclusive</em> when the suspect was the last request the replica had
 * been sent: then it died on the suspect itself. (Replies are flushed at the end of a batch, so a replica
 * that dies in a batch takes the replies it owed for earlier requests with it; its crash only says "one of
 * these".)
 *
 * <p>The suspect is poison once every live replica has died of it conclusively — a replica still executing
 * it may yet answer — and at least two processes died of it (N = 1: the replica and its replacement), so
 * a single crash of the only replica, e.g. by the kernel's OOM killer, is not taken for poison. Pure:
 * the group loop tells it every crash and asks; touched only by the loop thread.
 */
final class PoisonWatch {
    /** One crash blamed on the suspect; {@code atNanos} is when the loop saw it (its restart is counted right after). */
    record Death(int slot, String version, long atNanos, boolean conclusive) {
    }

    private long suspect;
    private final BitSet conclusive = new BitSet();
    private final List<Death> deaths = new ArrayList<>();

    /** The request under suspicion, or 0 for none. */
    long suspect() {
        return suspect;
    }

    /**
     * A replica crashed; {@code seq} is the oldest request it had been sent that nobody survived.
     *
     * @param conclusive {@code seq} was the last request it had been sent
     */
    void died(int slot, String version, long seq, boolean conclusive, long now) {
        if (suspect != 0 && seq > suspect) {
            return; // it survived the suspect itself: nothing to say about it
        }
        if (seq != suspect) {
            clear();
            suspect = seq;
        }
        deaths.add(new Death(slot, version, now, conclusive));
        if (conclusive) {
            this.conclusive.set(slot);
        }
    }

    /**
     * Whether the suspect is now known to be poison.
     *
     * @param live the slots whose replica runs or is being started (not dormant, not backing off, not stopped)
     */
    boolean poisoned(BitSet live) {
        if (suspect == 0 || live.isEmpty() || deaths.size() < 2) {
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
        return suspect != 0 && deaths.size() >= 2 && conclusive.get(slot);
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

    /**
     * The client's error for a poison request, e.g. {@code request #7 killed all 3 replicas (crash: process
     * exited with code 70); it was not executed and will not be retried}.
     */
    static String verdict(long seq, int replicas, int processes, int groupSize, String evidence) {
        String who;
        if (groupSize == 1) {
            who = "killed the replica and " + (processes == 2 ? "its replacement" : (processes - 1) + " replacements");
        } else if (replicas == groupSize) {
            who = "killed all " + replicas + " replicas";
        } else {
            who = "killed every live replica (" + replicas + " of " + groupSize + ")";
        }
        if (processes > replicas && groupSize > 1) {
            who += ", " + processes + " processes in all";
        }
        return "request #" + seq + " " + who + " (crash: " + evidence + "); it was not executed and will not be retried";
    }
}

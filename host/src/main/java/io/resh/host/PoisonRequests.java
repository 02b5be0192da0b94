package io.resh.host;

import io.resh.core.Durations;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests of death: a request whose execution kills or hangs every live replica ({@link PoisonWatch}
 * decides). Without this, each replacement restores the checkpoint, replays the request and dies (or hangs
 * and is killed) again, until the restart intensity backs every slot off and quarantines the version, while
 * the request's client and everyone queued behind it wait. With it, the request's client gets a {@link PoisonRequestException}, the
 * request is skipped in the log, and the replacements replay the tail without it. State stays consistent:
 * no replica survived having executed it, and the stable checkpoint predates it.
 *
 * <p>Runs on the crash and hang paths only (and a cheap check per timer tick while a request is suspected);
 * the request and reply paths are untouched. Touched only by the group loop thread.
 */
final class PoisonRequests {
    private static final Logger LOG = LoggerFactory.getLogger(PoisonRequests.class);
    private final GroupLoop loop;
    private final PoisonWatch watch = new PoisonWatch();

    PoisonRequests(GroupLoop loop) {
        this.loop = loop;
    }

    /** The request a replica catching up must not be sent anything beyond, or 0 for none. */
    long suspect() {
        return watch.suspect();
    }

    /**
     * The slot's process exited (not killed by the host). Reports the crash fault, and skips the request it
     * died of if that request has now killed or hung every live replica.
     *
     * @param verdictEvidence what the client of a request of death is told of it: the exit, not what the replica's
     *                        log says, which no vote vouches for
     * @param signalled it was ended by a signal other processes send (see {@link Signals#endedByOutsideSignal}),
     *                  which is weaker evidence against the request, like a hang
     */
    void crashed(Slot slot, String evidence, String verdictEvidence, boolean signalled) {
        died(slot, FaultKind.CRASH, signalled, evidence, verdictEvidence);
    }

    /**
     * The slot's replica has not answered what it was sent within the deadline, and the host did not stop
     * it. Counts it as dead of the request it is stuck in, under the crash rules, before reporting the hang
     * fault that kills and replaces it (the host's own SIGKILL is no evidence); skips that request if it has
     * now killed or hung every live replica. A request merely slower than the deadline in every replica is
     * taken for one that never ends: that is what the deadline means.
     */
    void hung(Slot slot, String evidence) {
        hung(slot, evidence, "no reply within " + Durations.format(loop.config.deadline()));
    }

    /**
     * Like {@link #hung(Slot, String)}, for a replica found hung some other way while it held requests (its
     * heartbeats stopped: the whole process froze); {@code verdictEvidence} is what the client of a request of
     * death is told of it, e.g. {@code no heartbeat within 1s}.
     */
    void hung(Slot slot, String evidence, String verdictEvidence) {
        died(slot, FaultKind.HANG, false, evidence, verdictEvidence);
    }

    private void died(Slot slot, FaultKind how, boolean signalled, String evidence, String verdictEvidence) {
        LogEntry suspect = firstUnsurvived(slot);
        if (suspect == null || suspect.sequence <= loop.checkpoints.stable().sequence()) {
            loop.processFault(slot, how, evidence); // it may hold no request at all: a crash on an idle group
            return;
        }
        clearIfResolved();
        boolean conclusive = suspect.sequence == slot.cursor - 1;
        // Dying with only the suspect left that nobody survived: it died executing the suspect, whatever it
        // had not answered before it (replies lost with the process) — that is the request the fault names.
        long at = conclusive ? suspect.sequence : slot.repliedThrough + 1;
        watch.died(suspect.sequence, new PoisonWatch.Death(slot.index, slot.spec.label(), slot.cpu, loop.now(), conclusive,
                how, signalled, verdictEvidence));
        if (watch.suspect() != suspect.sequence || !watch.poisoned(live())) {
            // Counted like any crash or hang; taken back below if the request turns out to be poison.
            loop.fault(slot, how, at, evidence);
            return;
        }
        loop.fault(slot, how, at, evidence, Map.of(), GroupLoop.Cause.POISON);
        skip(suspect);
    }

    /** The slot died of the suspect conclusively, and not as the first process to: it need not replay it again. */
    boolean diedOf(int slot) {
        return watch.diedOf(slot);
    }

    /** Timer tick: a suspect that a replica answered (or that was answered otherwise) is no longer suspect. */
    void tick() {
        if (watch.suspect() != 0) {
            clearIfResolved();
        }
    }

    private void clearIfResolved() {
        LogEntry e = loop.log.get(watch.suspect());
        if (e == null || survived(e)) {
            watch.clear();
        }
    }

    /**
     * The oldest request the slot had been sent that no replica has survived; null when it survived them
     * all (then its crash is no request's doing). Replies are flushed per batch, so it may have executed
     * (and died after) requests it never got to answer.
     */
    private LogEntry firstUnsurvived(Slot slot) {
        for (long s = slot.repliedThrough + 1; s < slot.cursor; s++) {
            LogEntry e = loop.log.get(s);
            if (e != null && !survived(e)) {
                return e;
            }
        }
        return null;
    }

    /** Some replica executed it without dying, or it was answered (decided, timed out, skipped). */
    private static boolean survived(LogEntry e) {
        return e.answered || e.survived || e.ballot.castCount() > 0;
    }

    /** Slots whose replica runs or is being started: the ones that have to die of a request before it is poison. */
    private BitSet live() {
        BitSet live = new BitSet();
        for (Slot s : loop.slots) {
            if (s.state == SlotState.STARTING || s.state == SlotState.RESTORING || s.receivesRequests()) {
                live.set(s.index);
            }
        }
        return live;
    }

    private void skip(LogEntry e) {
        long seq = e.sequence;
        List<PoisonWatch.Death> deaths = watch.deaths();
        int replicas = watch.replicasKilled();
        String message = watch.verdict(loop.slots.length);
        watch.clear();
        e.skipped = true;
        e.answered = true;
        CompletableFuture<byte[]> reply = e.reply;
        e.reply = null;
        loop.count("poison-requests");
        LOG.warn("group {}: {}; the replicas go on without it", loop.config.name(), message);
        loop.emit(new GroupEvent.PoisonRequest(loop.millis(), loop.config.name(), seq, replicas, deaths.size(), message));
        // The request is broken, not the replicas, their version or their cores: the restarts it caused do not
        // count toward back-off and quarantine (the last one was not counted in the first place), and the faults
        // it caused are taken back from the reputations (a core they made suspect is cleared as they fade).
        BitSet killed = new BitSet();
        long now = loop.now();
        for (int i = 0; i < deaths.size(); i++) {
            PoisonWatch.Death d = deaths.get(i);
            killed.set(d.slot());
            if (i < deaths.size() - 1) {
                loop.intensity.forgive(d.slot(), d.version(), d.atNanos());
            }
            loop.reputation.forgive(d.slot(), d.version(), d.cpu(), d.how(), d.atNanos(), now);
        }
        for (Slot s : loop.slots) {
            if (killed.get(s.index) && s.state == SlotState.BACKING_OFF && loop.serving()) {
                loop.intensity.recovered(s.index);
                loop.launch(s); // stays backed off if its version is quarantined
            } else if (s.hasProcess() && s.receivesRequests() && s.cursor > seq && s.repliedThrough < seq) {
                // Already sent the request: it would die of it too.
                loop.restart(s, "it was sent request #" + seq + ", a request of death", seq, GroupLoop.Cause.POISON);
            }
        }
        if (reply != null) {
            reply.completeExceptionally(new PoisonRequestException(seq, replicas, message));
        }
    }
}

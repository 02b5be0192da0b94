package io.resh.host;

import io.resh.core.Ballot;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The supervisor checking itself (SHOS: from any state, converge back to correct behaviour). Every
 * check interval it verifies the invariants its own bookkeeping must satisfy and repairs each violation
 * through the ordinary recovery paths — restart a slot, fail an overdue request as unavailable, take a
 * checkpoint — logging and reporting every repair as a {@link io.resh.core.GroupEvent.SelfRepaired}.
 *
 * <ul>
 *   <li>{@code process-owned}: every process the loop started belongs to a slot; orphans are killed.
 *   <li>{@code live-has-process}: every slot that should be running has a live process of its own, and
 *       none is stopped while the group serves; otherwise the slot is restarted.
 *   <li>{@code replica-counters}: a running slot's counters agree with the log
 *       (answered ≤ sent ≤ last assigned, and nothing it still needs was dropped); otherwise the slot is
 *       restarted.
 *   <li>{@code group-counters}: the group's counters agree with the log and are never negative.
 *   <li>{@code log-contiguous}: the log holds every request from the stable checkpoint on, each at its
 *       own position; displaced entries are put back, lost ones become tombstones and a checkpoint is
 *       taken past them.
 *   <li>{@code no-overdue-request}: no request stays pending past its deadline unnoticed; a decided one
 *       is released, an undecided one is handed to the timeout path.
 * </ul>
 *
 * A process found dead without its death having been reported is only repaired at the second check in a
 * row: the report may simply still be on its way.
 */
final class SelfCheck {
    private final GroupLoop loop;
    private final long initialSequence;

    SelfCheck(GroupLoop loop) {
        this.loop = loop;
        this.initialSequence = loop.log.lastSequence();
    }

    void run(long now) {
        orphans();
        for (Slot slot : loop.slots) {
            if (!liveHasProcess(slot, now)) {
                replicaCounters(slot);
            }
        }
        groupCounters();
        logContiguous(now);
        overdue(now);
    }

    private void orphans() {
        for (ReplicaProcess p : new ArrayList<>(loop.processes)) {
            Slot owner = loop.slots[p.slot];
            if (owner.process == p) {
                continue;
            }
            loop.processes.remove(p);
            if (p.alive()) {
                p.kill();
                loop.repaired("process-owned", "process " + p.pid() + " (replica " + p.slot + ", incarnation "
                        + p.incarnation + ") runs but no slot owns it", "killed it");
            }
        }
    }

    /** Returns true if it restarted the slot. */
    private boolean liveHasProcess(Slot slot, long now) {
        switch (slot.state) {
            case STARTING, RESTORING, CATCHING_UP, ACTIVE -> {
                if (slot.process == null) {
                    return restart(slot, "live-has-process", "replica " + slot.index + " is " + slot.state.label()
                            + " but has no process");
                }
                if (!slot.process.alive()) {
                    if (++slot.deadStrikes >= 2) {
                        return restart(slot, "live-has-process", "replica " + slot.index + "'s process " + slot.pid()
                                + " is dead and nobody noticed");
                    }
                    return false;
                }
                slot.deadStrikes = 0;
                return false;
            }
            case STOPPED -> {
                return restart(slot, "live-has-process", "replica " + slot.index + " is stopped while the group serves");
            }
            case BACKING_OFF -> {
                long longest = loop.config.supervision().maxBackoff().plus(loop.config.supervision().quarantine()).toNanos();
                if (slot.backoffUntilNanos - now > longest) {
                    slot.backoffUntilNanos = now;
                    loop.repaired("live-has-process", "replica " + slot.index + " backs off longer than any back-off"
                            + " or quarantine", "ends the back-off now");
                }
                return false;
            }
            case DORMANT -> {
                boolean mayBeDormant = slot.index == GroupLoop.SPARE && loop.supervisor.redundancy().adaptive()
                        && loop.supervisor.redundancy().mode() == RedundancyPolicy.Mode.DMR;
                if (!mayBeDormant) {
                    return restart(slot, "live-has-process", "replica " + slot.index + " is dormant but the group runs "
                            + loop.supervisor.redundancy().mode().label());
                }
                return false;
            }
            default -> {
                return false;
            }
        }
    }

    private void replicaCounters(Slot slot) {
        if (!slot.receivesRequests()) {
            return;
        }
        long first = loop.log.firstSequence();
        long last = loop.log.lastSequence();
        // A slow replica may lag behind the stable checkpoint; it may not lag behind what the log can still send.
        if (slot.cursor < first || slot.repliedThrough > slot.cursor - 1 || slot.cursor - 1 > last) {
            restart(slot, "replica-counters", "replica " + slot.index + " answered through #" + slot.repliedThrough
                    + " and was sent through #" + (slot.cursor - 1) + ", but the log holds #" + first + "..#" + last);
        }
    }

    private void groupCounters() {
        long requests = loop.log.lastSequence() - initialSequence;
        long counted = loop.counters.get("requests");
        if (counted != requests) {
            loop.counters.set("requests", requests);
            loop.repaired("group-counters", "requests counter is " + counted + " but the log assigned " + requests,
                    "recounted from the log");
        }
        Counters c = loop.counters;
        for (int i = 0; i < c.size(); i++) {
            if (c.value(i) < 0) {
                long was = c.value(i);
                c.setValue(i, 0);
                loop.repaired("group-counters", "counter " + c.name(i) + " is " + was, "reset to 0 (the history is lost)");
            }
        }
    }

    private void logContiguous(long now) {
        RequestLog log = loop.log;
        if (log.contiguous()) {
            return;
        }
        List<Long> lost = log.repair();
        for (long seq : lost) {
            LogEntry tomb = new LogEntry(seq, 0, 0, new byte[0], new Ballot(loop.quorum), new CompletableFuture<>(), now);
            tomb.answered = true; // its client's future is gone with the entry; nothing can be released for it
            log.fill(tomb);
        }
        if (!lost.isEmpty()) {
            loop.checkpointNow(); // replicas that executed the lost requests carry the state past them
        }
        loop.repaired("log-contiguous", "the request log was not in sequence order from #" + log.firstSequence()
                + (lost.isEmpty() ? "" : "; requests " + lost + " are lost"), lost.isEmpty()
                ? "put every entry back at its own position"
                : "re-indexed, tombstoned the lost requests and asked for a checkpoint past them");
    }

    private void overdue(long now) {
        RequestLog log = loop.log;
        if (loop.firstUnanswered > log.lastSequence() + 1) {
            long was = loop.firstUnanswered;
            loop.firstUnanswered = log.firstSequence();
            loop.repaired("no-overdue-request", "the timeout scan starts at #" + was + ", past the last request #"
                    + log.lastSequence(), "rescan from #" + log.firstSequence());
        }
        for (long seq = log.firstSequence(); seq <= log.lastSequence(); seq++) {
            LogEntry e = log.get(seq);
            if (e == null || e.answered) {
                continue;
            }
            if (e.ballot.isDecided()) {
                loop.release(e);
                loop.repaired("no-overdue-request", "request #" + seq + " was decided but never answered",
                        "released the voted reply");
            } else if (now - e.submittedNanos > loop.requestTimeoutNanos && seq < loop.firstUnanswered) {
                long was = loop.firstUnanswered;
                loop.firstUnanswered = seq;
                loop.repaired("no-overdue-request", "request #" + seq + " is past its deadline but the timeout scan"
                        + " starts at #" + was, "handed it to the timeout path");
            }
        }
    }

    private boolean restart(Slot slot, String invariant, String found) {
        loop.repaired(invariant, found, "restarted replica " + slot.index + " (restore + replay)");
        loop.restart(slot, "self-check: " + invariant, slot.repliedThrough + 1, GroupLoop.Cause.SELF_REPAIR);
        return true;
    }
}

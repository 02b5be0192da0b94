package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.resh.core.Ballot;
import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sequencer and voter of ordered mode: puts every client request in one total order, writes it
 * (pipelined) to every replica that is in the vote, matches replies FIFO per replica, votes each
 * request's replies and hands the released reply to the client's {@link ReplySlot}.
 *
 * <p>Faults it detects itself: a reply that differs from the voted one (divergence), a reply nobody
 * asked for or one that cannot be framed (protocol), a replica that still owes a reply
 * {@code deadline} after f+1 others answered, or that answers nothing for 2 × {@code deadline} while it
 * owes a request no f+1 answered yet, or a replayed one (hang). It takes the replica out of every open
 * vote and tells the group, which kills and replaces the process; the new process is
 * {@link #attach attached}, replays the {@link ReplayLog}, and joins the vote at the end of the log. A
 * request after which f+1 replicas send a reply nobody asked for stops the group instead; one that f+1
 * replicas crash, hang or cannot deliver a reply to is dropped from the log if f+1 of their replacements
 * fail at it again when it is replayed, and the group goes on without it ({@link QueryOfDeath}). One that
 * replicas answered is never dropped, whatever its replays do: it is reported, and kept ({@link #unreplayable}).
 *
 * <p>Not thread-safe by design: one event loop owns it, the same loop that owns every client and
 * backend channel, so no state here is ever shared across threads.
 */
public final class OrderedMultiplexer {
    private static final Logger LOG = LoggerFactory.getLogger(OrderedMultiplexer.class);
    /** How many times {@code maxInFlight} requests a lagging replica may owe before clients are held back. */
    static final int LAG_FACTOR = 8;
    /**
     * Replies this long or longer, to requests whose replies are compared as they are, are voted on in the
     * buffers they were read into and reach the client from there: copied to the heap, hundreds of them in
     * flight (a pipelined {@code LRANGE}) made every young collection copy them again.
     */
    public static final int IN_PLACE_REPLY_BYTES = 16 * 1024;

    /**
     * @param deadline how long a replica may still owe a reply after f+1 others answered
     * @param maxInFlight most unretired requests; past it clients are not read
     * @param replayWindow most replayed requests a recovering replica may owe at once
     */
    public record Settings(Duration deadline, int maxInFlight, int replayWindow) {
    }

    /**
     * Checkpoints of the servers' own state: every {@code every} logged requests, {@code digest} and then {@code save}
     * go to the replicas in order, as requests no client sent and that are never logged.
     */
    public record CheckpointPlan(int every, Request save, Request digest) {
        public CheckpointPlan {
            Objects.requireNonNull(save, "save");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /**
     * A replay log entry sent to a recovering replica: where it is in the log and which request it is, so that a
     * replica failing while it owes it can say where its replay was.
     */
    private record Replay(Request request, int index, long seq) {
    }

    private static final class Slot {
        BackendLink link;
        boolean live;
        /** What the connection owes replies to, in order: a live vote ({@link Pending}) or a {@link Replay}. */
        ArrayDeque<Object> expects = new ArrayDeque<>();
        int replayNext = -1;
        /**
         * A replayed entry sent alone (the suspect, one no replica answered, or one of a window a replay failed in)
         * and not answered yet, or null.
         */
        Replay alone;
        long replayOutstanding;
        long replayed;
        boolean catchingUp;
        long lastProgressNanos;
        boolean dirty;
        /** The oldest request it owed when {@link #tick} last looked, and since when (as tick saw it) it owes it. */
        Object watched;
        long watchedSince;
    }

    private final Quorum quorum;
    private final Protocol protocol;
    private final Canonicalizer canonicalizer;
    private final ReplayLog log;
    private final GroupCallbacks group;
    private final long deadlineNanos;
    /** What replicas are timed by: {@link #nanos} without the gateway's own stalls. */
    private final StallFreeClock clock;
    private final int maxInFlight;
    private final int replayWindow;
    private final LongSupplier nanos;
    private final Executor later;
    private final Slot[] slots;
    private final ArrayDeque<Pending> inflight = new ArrayDeque<>();
    private final ArrayDeque<Runnable> waiters = new ArrayDeque<>();
    /** Requests sent and not yet answered by every replica still in their vote. */
    private int open;
    /** Requests whose client has not had its answer yet. */
    private int unanswered;
    private long nextSeq = 1;
    private String failStop;
    private final QueryOfDeath queryOfDeath;
    /**
     * Logged requests that no replica answered (each with its sequence number): f+1 replicas failed on them, or
     * they were in flight behind one that did. Until a replica answers one when it is replayed, it is sent alone
     * and a replay failing at it counts against it (a server may hold the replies to a whole batch until it
     * finishes the batch, so the request a hung server owes first need not be the one it hangs in).
     */
    private final Map<Request, Long> neverAnswered = new IdentityHashMap<>();
    /**
     * Logged requests a replica owed, pipelined, when it failed in its replay: one of them may fail every replay of it
     * though it ran fine live (its replay meets a state its live run did not), and the window does not say which.
     * Until a replica answers one when it is replayed, it is sent alone, like those in {@link #neverAnswered}, so the
     * next failure pins the request down and counts against it; otherwise every replacement would fail somewhere in
     * the same window, blaming nothing, forever.
     */
    private final Set<Request> replayDoubt = Collections.newSetFromMap(new IdentityHashMap<>());
    /**
     * Requests replicas answered live (or may yet) that failed f+1 replicas and then f+1 of their replacements replaying
     * them alone, by sequence number, each with the line that reported it: kept in the log, since dropping one would
     * undo a write its client was told of, so no replacement can be rebuilt past it. Reported once: failures at it
     * are no longer counted. Cleared when a replica answers it replayed (the server was fixed).
     */
    private final TreeMap<Long, QueryOfDeath.Unreplayable> unreplayable = new TreeMap<>();
    /** The report of an unreplayable request found by the fault being handled, for that fault's evidence, or null. */
    private String unreplayableFound;
    /** Periodic checkpoints of the servers' saved state, or null for none. */
    private CheckpointPlan checkpoints;
    /** Logged requests since the last checkpoint was asked for. */
    private long loggedSinceCheckpoint;
    /** Their bytes: a checkpoint also falls due when they fill half the log's byte bound (large writes). */
    private long loggedBytesSinceCheckpoint;
    /** A checkpoint was asked for and is not stored yet (or failed). */
    private boolean checkpointBusy;
    /** A stored checkpoint's request, waiting for no replica to be replaying before the log is cut there; 0 for none. */
    private long cutPending;
    private boolean flushScheduled;
    private boolean clockRead;
    private long cachedNanos;
    private long undecided;

    /**
     * @param log the replay log, or null to restart failed replicas empty (stateless servers)
     * @param nanos monotonic clock
     * @param later runs a task after the current event-loop task (used to coalesce flushes)
     */
    public OrderedMultiplexer(Quorum quorum, Protocol protocol, Canonicalizer canonicalizer, ReplayLog log,
                              GroupCallbacks group, Settings settings, LongSupplier nanos, Executor later) {
        this.quorum = quorum;
        this.protocol = protocol;
        this.canonicalizer = canonicalizer;
        this.log = log;
        this.group = group;
        this.deadlineNanos = settings.deadline().toNanos();
        this.clock = new StallFreeClock(tickPeriod(settings.deadline()).toNanos());
        this.maxInFlight = settings.maxInFlight();
        this.replayWindow = settings.replayWindow();
        this.nanos = nanos;
        this.later = later;
        this.queryOfDeath = new QueryOfDeath(quorum.agreementNeeded());
        this.slots = new Slot[quorum.replicas()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot();
        }
    }

    // ---- clients ---------------------------------------------------------------------------------

    /** Sequences one request: logs it if it changes state and sends it to every replica in the vote. */
    public void submit(Request request, ReplySlot reply) {
        submit(request, reply, false);
    }

    /**
     * Sequences a request that an outside order has already committed (a cluster's Raft log), so every host
     * executes it: unlike {@link #submit}, a state-changing request is not refused while fewer than f+1
     * replicas are healthy, which would leave this host without it while the others have it. It goes into the
     * replay log, and to the replicas that are healthy, and the recovering ones execute it when they replay;
     * its reply cannot be voted, and its client is told so.
     */
    public void submitCommitted(Request request, ReplySlot reply) {
        submit(request, reply, true);
    }

    private Pending submit(Request request, ReplySlot reply, boolean committed) {
        if (failStop != null) {
            reply.fill(protocol.errorReply("the group stopped answering: " + failStop));
            return null;
        }
        int live = liveMask();
        String tooFew = null;
        if (Integer.bitCount(live) < quorum.agreementNeeded()) {
            tooFew = tooFew(Integer.bitCount(live));
            if (!committed || request.readOnly() || log == null || log.overflowed()) {
                reply.fill(protocol.errorReply(tooFew + outOfTheVote("; retry shortly")));
                return null;
            }
        }
        long seq = nextSeq++;
        if (!request.readOnly() && log != null && log.keeping() && !log.append(request, seq)) {
            replayLogOverflowed(seq);
        }
        if (tooFew != null) {
            tooFew += ": the request is committed in the cluster's order and takes effect here as the recovering"
                    + " replicas replay it, but its reply could not be voted; do not retry it";
            if (live == 0) {
                reply.fill(protocol.errorReply(tooFew));
                for (int i = 0; i < slots.length; i++) {
                    pumpReplay(i);
                }
                return null;
            }
        }
        Pending p = new Pending(seq, request, reply, quorum, live, now());
        p.failure = tooFew; // what its client gets when the healthy few have answered and cannot make a quorum
        inflight.addLast(p);
        open++;
        unanswered++;
        for (int i = 0; i < slots.length; i++) {
            if ((live & (1 << i)) != 0) {
                Slot s = slots[i];
                s.expects.addLast(p);
                s.link.write(request.bytes());
                markDirty(s);
            }
        }
        if (!request.readOnly() && log != null) {
            for (int i = 0; i < slots.length; i++) {
                pumpReplay(i);
            }
            // Also once the log overflowed: a stored checkpoint starts it again.
            if (checkpoints != null && checkpointDue(request) && !checkpointBusy) {
                checkpoint();
            }
        }
        return p;
    }

    /**
     * False while {@code maxInFlight} requests await their answer, or while a lagging replica still
     * owes {@link #LAG_FACTOR} times that many: stop reading from clients. The second bound lets a
     * replica fall briefly behind (a pause, a burst) without throttling clients, yet bounds what is
     * held for it until it catches up or is found hung.
     */
    public boolean hasCapacity() {
        return failStop != null || (unanswered < maxInFlight && open < LAG_FACTOR * maxInFlight);
    }

    /** Runs {@code resume} once capacity frees up (immediately if it already has). */
    public void awaitCapacity(Runnable resume) {
        if (hasCapacity()) {
            resume.run();
        } else {
            waiters.addLast(resume);
        }
    }

    // ---- replicas --------------------------------------------------------------------------------

    /**
     * A freshly started replica is connected: replay the log into it, then let it join the vote at
     * the end of the log. Reports {@link GroupCallbacks#caughtUp} once it answered every replayed request.
     */
    public void attach(BackendLink link) {
        attach(link, 0);
    }

    /**
     * Like {@link #attach(BackendLink)}, for a server started from the checkpoint at request {@code startedFrom} (0:
     * started empty); the log is replayed from there, which must be where the log now starts.
     */
    public void attach(BackendLink link, long startedFrom) {
        int i = link.slot();
        Slot s = slots[i];
        if (s.link != null) {
            detach(i);
        }
        s.link = link;
        s.live = false;
        s.expects = new ArrayDeque<>();
        s.replayOutstanding = 0;
        s.replayed = 0;
        s.alone = null;
        s.catchingUp = true;
        s.lastProgressNanos = clock.at(nanos.getAsLong());
        s.watched = null;
        if (log == null) {
            s.replayNext = -1;
            s.live = true;
            checkCaughtUp(i);
        } else if (failStop != null) {
            s.replayNext = -1; // stopped: nothing to replay it for, and a query of death would fail it again
        } else if (log.overflowed()) {
            fault(i, FaultKind.START_FAILURE, nextSeq - 1,
                    "cannot rebuild the replica: the replay log overflowed (replayLogLimit / replayLogEntries)");
        } else if (startedFrom != log.base()) {
            // A checkpoint was stored while this one started: what it was given and the log no longer meet.
            fault(i, FaultKind.START_FAILURE, nextSeq - 1, "it was started from "
                    + (startedFrom == 0 ? "nothing" : "the checkpoint at request #" + startedFrom)
                    + ", but the replay log now starts after request #" + log.base() + "; it is started again");
        } else {
            s.replayNext = 0;
            pumpReplay(i);
        }
    }

    /** The request whose reply replica {@code link} is sending next, or null if it owes none. */
    public Request expected(BackendLink link) {
        Slot s = slots[link.slot()];
        if (s.link != link) {
            return null;
        }
        Object e = s.expects.peekFirst();
        return e instanceof Pending p ? p.request : e instanceof Replay r ? r.request() : null;
    }

    /** True while {@code link} is the replica's current connection. */
    public boolean isCurrent(BackendLink link) {
        return slots[link.slot()].link == link;
    }

    /** True if a reply of {@code length} bytes to {@code request} goes to {@link #onReply(BackendLink, ByteBuf)}. */
    public boolean votesInPlace(Request request, int length) {
        return length >= IN_PLACE_REPLY_BYTES && canonicalizer.verbatim(request);
    }

    /** One complete reply from a replica. */
    public void onReply(BackendLink link, byte[] reply) {
        Pending p = owedBy(link, reply, 0, reply.length);
        if (p != null) {
            vote(p, link.slot(), reply, canonicalizer.apply(p.request, reply));
        }
    }

    /**
     * One complete reply from a replica that {@link #votesInPlace} says is voted on where it lies; this takes over
     * the caller's reference to {@code reply}.
     */
    public void onReply(BackendLink link, ByteBuf reply) {
        try {
            Pending p = owedBy(link, reply, reply.readerIndex(), reply.readableBytes());
            if (p != null) {
                byte[] token = p.hold(reply.retain());
                vote(p, link.slot(), token, token);
            }
        } finally {
            reply.release();
        }
    }

    /**
     * Matches a reply from {@code link} to what its replica owes: the request whose vote it joins, or null when
     * there is none (a stale link, a replayed request, a reply nobody asked for, which is a fault).
     *
     * @param bytes the reply ({@code byte[]} or {@link ByteBuf}) and where it lies, for the evidence of a fault
     */
    private Pending owedBy(BackendLink link, Object bytes, int offset, int length) {
        int i = link.slot();
        Slot s = slots[i];
        if (s.link != link) {
            return null;
        }
        if (s.replayOutstanding > 0) { // progress only counts (tick) while it owes replayed requests
            s.lastProgressNanos = now();
        }
        Object e = s.expects.pollFirst();
        if (e == null) {
            byte[] start = bytes instanceof ByteBuf b ? ByteBufUtil.getBytes(b, offset, Math.min(length, 64))
                    : (byte[]) bytes;
            fault(i, FaultKind.PROTOCOL, nextSeq - 1, "sent a reply nobody asked for: '"
                    + Evidence.printable(start, 0) + "'", Owed.UNASKED_REPLY);
            return null;
        }
        if (e instanceof Pending p) {
            return p;
        }
        Request replayed = ((Replay) e).request();
        s.replayOutstanding--;
        if (e == s.alone) {
            s.alone = null;
        }
        queryOfDeath.answered(replayed);
        neverAnswered.remove(replayed);
        replayDoubt.remove(replayed); // answered when replayed: not what fails replays
        if (!unreplayable.isEmpty() && unreplayable.remove(((Replay) e).seq()) != null) {
            LOG.info("group {}: request #{} ({}) was replayed: failed replicas can be rebuilt again", group.group(), ((Replay) e).seq(),
                    replayed.name());
        }
        pumpReplay(i);
        checkCaughtUp(i);
        return null;
    }

    /**
     * The replica's connection failed, its bytes could not be framed, or its process exited ({@link FaultKind#CRASH}).
     * The fault is reported at the oldest request the replica had not answered; one that owed none failed idle, after
     * the last request it answered.
     */
    public void onLinkFailed(BackendLink link, FaultKind kind, String evidence) {
        Slot s = slots[link.slot()];
        if (s.link == link) {
            Object e = s.expects.peekFirst();
            if (e == null) {
                // Live, it was sent every request; still replaying, only the log up to where its replay is.
                long answeredThrough = s.live ? nextSeq - 1 : s.replayNext > 0 ? log.seq(s.replayNext - 1) : 0;
                fault(link.slot(), kind, answeredThrough, evidence, Owed.NOTHING);
            } else {
                fault(link.slot(), kind, e instanceof Pending p ? p.seq : ((Replay) e).seq(), evidence);
            }
        }
    }

    /** The replica's connection drained below its low-water mark: continue a replay. */
    public void onWritable(BackendLink link) {
        if (slots[link.slot()].link == link) {
            pumpReplay(link.slot());
        }
    }

    /**
     * Takes replica {@code slot} out of every vote and closes its link, without telling the group
     * (which is the caller). Idempotent.
     */
    public void detach(int slot) {
        Slot s = slots[slot];
        if (s.link == null) {
            return;
        }
        BackendLink link = s.link;
        s.link = null;
        s.live = false;
        s.replayNext = -1;
        s.alone = null;
        s.catchingUp = false;
        s.replayOutstanding = 0;
        s.expects = new ArrayDeque<>();
        s.watched = null;
        link.close();
        removeFromVotes(slot);
    }

    /**
     * Hang detection; call periodically (a fraction of the deadline). A replica is hung when
     * <ul>
     *   <li>it still owes a request {@code deadline} after f+1 others answered it;</li>
     *   <li>the oldest request it owes is one no f+1 replicas agreed on yet, and has been for 2 ×
     *       {@code deadline} as far as these calls saw (every replica hung on one request: nobody answers
     *       it, so there is no f+1 answer to time the first rule from). Timed from when it became the
     *       oldest, not from when it was sent, so that a backlog that is being worked off is not taken for
     *       a hang; 2 × {@code deadline} is what a replaying replica gets for each reply too, so a request
     *       judged fine live is judged fine when replayed, and the other way round;</li>
     *   <li>it replays the log and makes no progress for 2 × {@code deadline}.</li>
     * </ul>
     */
    public void tick() {
        long now = clock.tick(nanos.getAsLong());
        if (clock.lastStall() > deadlineNanos / 2) { // long enough to have blamed a replica
            LOG.info("group {}: the gateway did not run for {} ms; replicas are not timed for that", group.group(),
                    TimeUnit.NANOSECONDS.toMillis(clock.lastStall()));
        }
        List<Hang> hangs = new ArrayList<>();
        int found = 0; // replicas already in hangs: one is enough, at the oldest request it owes
        List<Pending> stuck = new ArrayList<>();
        for (Pending p : inflight) {
            if (p.retired) {
                continue;
            }
            if (p.ballot.isDecided()) {
                if (now - p.decidedNanos > deadlineNanos) {
                    int missing = p.missing() & ~found;
                    for (int i = 0; i < slots.length; i++) {
                        if ((missing & (1 << i)) == 0 || slots[i].replayOutstanding > 0) {
                            continue; // a replacement still answering its replay is timed by its replay progress
                        }
                        // Timed from its last replayed reply, if later: only then could it start on this one.
                        long late = now - Math.max(p.decidedNanos, slots[i].lastProgressNanos);
                        if (late > deadlineNanos) {
                            found |= 1 << i;
                            hangs.add(new Hang(i, p.seq, "no reply to request #" + p.seq + " " + late / 1_000_000
                                    + " ms after " + quorum.agreementNeeded() + " replicas answered it"));
                        }
                    }
                }
            } else if (!p.replied && p.answered != 0 && now - p.sentNanos > 4 * deadlineNanos) {
                stuck.add(p);
            }
        }
        for (int i = 0; i < slots.length; i++) {
            Slot s = slots[i];
            if (s.link == null) {
                continue;
            }
            Object owed = s.expects.peekFirst();
            if (owed != s.watched) {
                s.watched = owed;
                s.watchedSince = now;
            } else if (owed instanceof Pending p && !p.ballot.isDecided() && now - s.watchedSince > 2 * deadlineNanos
                    && (found & (1 << i)) == 0) {
                hangs.add(new Hang(i, p.seq, "no reply to request #" + p.seq + " (" + p.request.name() + ") for "
                        + (now - s.watchedSince) / 1_000_000 + " ms while it was the oldest request it owed, and "
                        + (p.answered == 0 ? "no replica answered it" : "no " + quorum.agreementNeeded()
                        + " replicas agreed on it")));
            }
            if (s.replayOutstanding > 0 && now - s.lastProgressNanos > 2 * deadlineNanos && owed instanceof Replay r) {
                hangs.add(new Hang(i, r.seq(), "no progress replaying the log for " + (now - s.lastProgressNanos) / 1_000_000
                        + " ms, stuck at " + named(r)));
            }
        }
        for (Hang h : hangs) {
            fault(h.slot(), FaultKind.HANG, h.seq(), h.evidence());
        }
        for (Pending p : stuck) {
            if (!p.replied) {
                undecided++;
                answer(p, protocol.errorReply("no " + quorum.agreementNeeded() + " replicas agreed on an answer to "
                        + p.request.name() + " in time; it may or may not have taken effect"));
                retireIfDone(p);
            }
        }
    }

    /**
     * How often {@link #tick} is to be called for {@code deadline}: a quarter of it, but at most every 10 ms and at
     * least every 500 ms.
     */
    public static Duration tickPeriod(Duration deadline) {
        return Duration.ofMillis(Math.max(10, Math.min(500, deadline.toMillis() / 4)));
    }

    /** A replica found hung by {@link #tick}. */
    private record Hang(int slot, long seq, String evidence) {
    }

    /** {@code request #7 (INCR)}: a replayed request by its number and name. */
    private static String named(Replay r) {
        return "request #" + r.seq() + " (" + r.request().name() + ")";
    }

    /**
     * Where replica {@code i}'s replay is, for the evidence of its fault, e.g. {@code , while replaying entries #3-#9
     * of 12 of the replay log (the oldest owed: request #5 (INCR))}; empty if it is not replaying. A replay is
     * pipelined, so a replica failing in it may owe a whole window of entries: this is all that is known of which
     * one it failed at, unless it owed one alone. The oldest owed is left unnamed when {@code evidence} names it.
     */
    private String replayPosition(int i, String evidence) {
        Slot s = slots[i];
        if (log == null || log.overflowed() || (s.replayNext < 0 && s.replayOutstanding == 0)) {
            return "";
        }
        Replay first = null;
        Replay last = null;
        for (Object e : s.expects) {
            if (e instanceof Replay r) {
                first = first == null ? r : first;
                last = r;
            }
        }
        if (first == null) {
            return ", while replaying the replay log (" + s.replayNext + " of " + log.size() + " entries answered, none owed)";
        }
        String oldest = evidence.contains(named(first)) ? "" : named(first);
        if (first == last) {
            return ", while replaying entry #" + (first.index() + 1) + " of " + log.size() + " of the replay log"
                    + (first == s.alone ? " alone" : "") + (oldest.isEmpty() ? "" : " (" + oldest + ")");
        }
        return ", while replaying entries #" + (first.index() + 1) + "-#" + (last.index() + 1) + " of " + log.size()
                + " of the replay log" + (oldest.isEmpty() ? "" : " (the oldest owed: " + oldest + ")");
    }

    // ---- voting ----------------------------------------------------------------------------------

    /** @param reply as the replica sent it, or the token of a held reply ({@link Pending#hold}) */
    private void vote(Pending p, int i, byte[] reply, byte[] canonical) {
        p.answered |= 1 << i;
        p.everAnswered = true;
        Ballot.Outcome outcome = p.ballot.cast(i, canonical, p.expected());
        switch (outcome) {
            case DECIDED -> {
                p.decidedNanos = now();
                release(p, reply);
                if (p.ballot.castCount() > quorum.agreementNeeded()) { // else every reply cast so far agreed
                    for (int d : p.ballot.dissenters()) {
                        dissent(p, d);
                    }
                }
            }
            case DISSENTS -> dissent(p, i);
            case PENDING -> p.originals[i] = reply;
            case UNDECIDABLE -> {
                p.originals[i] = reply;
                undecidable(p);
            }
            default -> {
            }
        }
        retireIfDone(p);
    }

    private void release(Pending p, byte[] original) {
        if (!p.replied) {
            ByteBuf held = p.heldFor(original);
            if (held != null) {
                answer(p, held.retainedDuplicate()); // verbatim: toClient would return it unchanged
            } else {
                answer(p, protocol.toClient(p.request, original));
            }
        }
        Arrays.fill(p.originals, null);
    }

    private void dissent(Pending p, int i) {
        byte[] theirs = p.ballot.replyOf(i);
        if (theirs == null || slots[i].link == null) {
            return;
        }
        if (protocol.tolerant(p.request)) {
            LOG.debug("replica {} answered {} #{} differently; tolerated for this command", i, p.request.name(), p.seq);
            return;
        }
        fault(i, FaultKind.DIVERGENCE, p.seq, "reply to request #" + p.seq + " (" + p.request.name()
                + ") differs from the one " + quorum.agreementNeeded() + " replicas agreed on, "
                + Evidence.difference(p.bytesOf(p.ballot.decided()), p.bytesOf(theirs)));
    }

    /** Every expected reply is in (or can no longer arrive) and no value has f+1 votes. */
    private void undecidable(Pending p) {
        if (p.replied) {
            return;
        }
        int distinct = distinctReplies(p);
        if (distinct > 1 && !p.request.readOnly() && !protocol.tolerant(p.request)) {
            stop(p, "no " + quorum.agreementNeeded() + " replicas agree on the reply to state-changing request #"
                    + p.seq + " (" + p.request.name() + "): " + describeVotes(p));
            return;
        }
        undecided++;
        answer(p, protocol.errorReply(distinct > 1
                ? "the replicas disagree on this read and no " + quorum.agreementNeeded() + " of them agree; nothing was released"
                : p.failure != null ? p.failure
                : "only " + Integer.bitCount(p.answered) + " replica(s) could answer " + p.request.name() + " and "
                + quorum.agreementNeeded() + " must agree; it may or may not have taken effect"));
    }

    private void stop(Pending cause, String detail) {
        stop(cause.seq, detail);
    }

    private void stop(long seq, String detail) {
        halt(detail);
        stopped(seq, detail);
    }

    /** Stops answering: every open request and every later one gets {@code detail} as its error. */
    private void halt(String detail) {
        failStop = detail;
        for (Pending p : new ArrayList<>(inflight)) {
            if (!p.replied) {
                answer(p, protocol.errorReply("the group stopped answering: " + detail));
            }
            retireIfDone(p);
        }
        wakeWaiters();
    }

    private void stopped(long seq, String detail) {
        LOG.error("group {}: fail-stop: {}", group.group(), detail);
        group.failStopped(seq, detail);
    }

    private void answer(Pending p, byte[] reply) {
        p.replied = true;
        unanswered--;
        p.reply.fill(reply);
        answered();
    }

    /** @param reply the client's reference to a held reply */
    private void answer(Pending p, ByteBuf reply) {
        p.replied = true;
        unanswered--;
        p.reply.fill(reply);
        answered();
    }

    private void answered() {
        if (unanswered == maxInFlight - 1) {
            wakeWaiters();
        }
    }

    private static int distinctReplies(Pending p) {
        List<byte[]> seen = new ArrayList<>();
        for (int i = 0; i < p.originals.length; i++) {
            byte[] r = p.ballot.replyOf(i);
            if (r != null && seen.stream().noneMatch(x -> Arrays.equals(x, r))) {
                seen.add(r);
            }
        }
        return seen.size();
    }

    private String describeVotes(Pending p) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < p.originals.length; i++) {
            byte[] r = p.ballot.replyOf(i);
            if (r != null) {
                sb.append(sb.length() == 0 ? "" : ", ").append("replica ").append(i).append(" said '")
                        .append(Evidence.printable(p.bytesOf(r), 0)).append("'");
            }
        }
        return sb.toString();
    }

    private void retireIfDone(Pending p) {
        if (p.retired || !p.replied || !p.allAnswered()) {
            return;
        }
        p.retired = true;
        p.releaseHeld();
        open--;
        if (!p.everAnswered && !p.skipped && !p.request.readOnly() && log != null && !log.overflowed()) {
            neverAnswered.put(p.request, p.seq);
        }
        while (!inflight.isEmpty() && inflight.peekFirst().retired) {
            inflight.pollFirst();
        }
        wakeWaiters();
    }

    private void wakeWaiters() {
        int n = waiters.size();
        while (n-- > 0 && hasCapacity() && !waiters.isEmpty()) {
            waiters.pollFirst().run();
        }
    }

    // ---- faults and recovery ---------------------------------------------------------------------

    /** What the replica owed when it failed, which says what a fault's sequence number names. */
    private enum Owed {
        /** a request: {@code seq} is the one the fault is about (the oldest it owed, or the one it answered wrongly) */
        REQUEST,
        /** nothing, yet it replied: {@code seq} is the latest request, which the reply nobody asked for counts against */
        UNASKED_REPLY,
        /** nothing: it failed idle, after the last request it answered ({@code seq}), and no request is to blame */
        NOTHING
    }

    private void fault(int i, FaultKind kind, long seq, String evidence) {
        fault(i, kind, seq, evidence, Owed.REQUEST);
    }

    private void fault(int i, FaultKind kind, long seq, String evidence, Owed owed) {
        if (slots[i].link == null) {
            return;
        }
        boolean unasked = owed == Owed.UNASKED_REPLY;
        String where = replayPosition(i, evidence); // before detach() forgets what the replica owed
        boolean blaming = failStop == null && !group.closing();
        Stop stop = blaming ? queryOfDeath(i, kind, seq, evidence, unasked) : null;
        if (blaming && !unasked) {
            int narrowed = narrowReplay(i, kind);
            where += narrowed == 0 ? "" : narrowed == 1 ? "; the next replacements replay it alone"
                    : "; the next replacements replay these one at a time";
        }
        if (unreplayableFound != null) {
            where += "; " + unreplayableFound; // reported once, with the failure that found it
            unreplayableFound = null;
        }
        if (stop != null) {
            // Before the replica leaves the votes: the requests it leaves undecidable get this reason as their
            // error, not "too few replicas answered".
            halt(stop.reason());
        }
        detach(i);
        if (owed == Owed.NOTHING) {
            group.faultWhileIdle(i, kind, seq, evidence + where);
        } else {
            group.fault(i, kind, seq, evidence + where);
        }
        if (stop != null) {
            stopped(stop.seq(), stop.reason());
        }
    }

    /** The group stops because request {@code seq} is a query of death. */
    private record Stop(long seq, String reason) {
    }

    /**
     * f+1 replicas that crash, hang or break the protocol at the same request may not be f+1 independent
     * faults: the request may have made them (a "query of death": one that makes each server exit, loop
     * forever, answer twice, or answer more than {@code maxReplyBytes}), and replaying it into their
     * replacements would fail those too, forever. f+1 replies nobody asked for are deterministic replies to a
     * request whose client had its answer: the group stops at once, naming the request. Otherwise it may as well
     * be an outside event that killed, stalled or disconnected f+1 servers at once (kill -9, the OOM killer,
     * SIGSTOP) while the request was in flight, so the request only becomes the suspect; it is dropped from the
     * replay log ({@link #skip}) only if f+1 replicas fail at it again while replaying it (see {@link
     * QueryOfDeath}).
     *
     * <p>A crash, a hang or a reply that cannot be delivered counts against the oldest request the replica had
     * not answered, and only while no replica answered that one (a request some replica survived is not what
     * failed the others; a replica still owing a request {@code deadline} after f+1 answered it is a lone
     * hang), or, while it replays the log, against the oldest request it owes if that is the suspect (a second
     * strike), one no replica ever answered, or one sent alone because a replay failed in a window it was in (a
     * first strike); all three are replayed alone, so the oldest request owed is the one it failed in. A replica
     * that fails owing nothing, or while replaying a pipelined window of anything else, says nothing about any
     * request (but the window is replayed one request at a time from then on: {@link #narrowReplay}); a reply
     * nobody asked for counts against the latest request. Runs on the fault path only.
     *
     * @return why the group stops, or null if it does not
     */
    private Stop queryOfDeath(int i, FaultKind kind, long seq, String evidence, boolean unasked) {
        if (unasked) {
            Pending p = pendingAt(seq);
            return queryOfDeath.answeredUnasked(seq, i) ? firstStrike(seq, p == null ? null : p.request, evidence) : null;
        }
        if (kind != FaultKind.CRASH && kind != FaultKind.HANG && kind != FaultKind.PROTOCOL) {
            return null;
        }
        Object owed = slots[i].expects.peekFirst();
        if (owed instanceof Pending p) {
            return !p.everAnswered && queryOfDeath.failed(p.seq, i, kind) ? firstStrike(p.seq, p.request, evidence) : null;
        }
        if (!(owed instanceof Replay r)) {
            return null;
        }
        if (queryOfDeath.isSuspect(r.request())) {
            if (queryOfDeath.failedReplaying(i)) {
                if (queryOfDeath.suspectKept()) {
                    unreplayable(r);
                } else {
                    skip(queryOfDeath.skip(evidence));
                }
            }
            return null;
        }
        Long unanswered = neverAnswered.get(r.request());
        if (unanswered != null) {
            return queryOfDeath.failed(unanswered, i, kind) ? firstStrike(unanswered, r.request(), evidence) : null;
        }
        if (r == slots[i].alone && replayDoubt.contains(r.request()) && !unreplayable.containsKey(r.seq())) {
            // Replicas answered it when it ran, unless it is still in flight and none has yet. Once reported
            // unreplayable, failures at it are not counted again: it is reported once.
            Pending live = pendingAt(r.seq());
            return queryOfDeath.failedReplayingAlone(r.seq(), i, kind, live == null || live.everAnswered)
                    ? firstStrike(r.seq(), r.request(), evidence) : null;
        }
        return null;
    }

    /**
     * Replica {@code i} crashed, hung or broke the protocol while it owed a pipelined window of replayed requests:
     * any of them may be one that fails every replay of it, so from now on each is replayed alone ({@link
     * #replayDoubt}) until a replica answers it, and the next failure there names and counts against the very
     * request. Returns how many of the window's requests are replayed alone from now on (some may have been
     * already). Costs a round trip per request for at most one replay window; a failure while the oldest request
     * owed was sent alone is already pinned down ({@link #queryOfDeath}).
     */
    private int narrowReplay(int i, FaultKind kind) {
        Slot s = slots[i];
        if ((kind != FaultKind.CRASH && kind != FaultKind.HANG && kind != FaultKind.PROTOCOL) || log == null
                || log.overflowed() || !(s.expects.peekFirst() instanceof Replay first) || first == s.alone) {
            return 0;
        }
        int alone = 0;
        for (Object e : s.expects) {
            if (e instanceof Replay r && log.get(r.index()) != null && !queryOfDeath.isSuspect(r.request())
                    && !neverAnswered.containsKey(r.request())) {
                replayDoubt.add(r.request());
                alone++;
            }
        }
        return alone;
    }

    /**
     * The suspect crashed or hung f+1 replacements too: it is dropped from the replay log, so every replacement
     * from now on is rebuilt without it. Its client was told at the first strike that it may or may not have
     * taken effect; the state the group rebuilds is the one where it did not. A replica that survived it (at
     * most f of them, or none had it been deterministic) and kept its effects disagrees with the rebuilt
     * majority as soon as a reply shows them, and is replaced like any other divergent replica. Never for a
     * request replicas answered ({@link #unreplayable}).
     */
    private void skip(QueryOfDeath.Skip skip) {
        log.skip(skip.request());
        neverAnswered.remove(skip.request());
        replayDoubt.remove(skip.request());
        Pending straggler = pendingAt(skip.seq());
        if (straggler != null) {
            straggler.skipped = true; // a survivor still owes it: when it retires, there is nothing to replay
        }
        LOG.warn("group {}: {}", group.group(), skip.reason());
        group.skipped(skip.seq(), skip.slots(), skip.processes(), skip.reason());
    }

    /**
     * The suspect {@code r}, which replicas answered live (or may yet: it is in flight), failed f+1 replicas and then
     * f+1 of their replacements replaying it alone: no replacement can be rebuilt past it. It is not dropped: every
     * later read would then answer from a state without a write its client was told of, a wrong answer, and a wrong
     * answer is worse than none. Nor are the live replicas replaced: they executed it and are the group's only
     * correct state, and they serve on while f+1 of them remain (fewer give the usual errors, never a guess). The
     * failing replicas are restarted with the group's back-off, so that a fixed server rejoins by itself; each of
     * their faults names the request. Reported once, in a warning, an event, the evidence of this fault and the status.
     */
    private void unreplayable(Replay r) {
        QueryOfDeath.Unreplayable found = queryOfDeath.unreplayable(Integer.bitCount(liveMask()), slots.length);
        unreplayable.put(r.seq(), found);
        unreplayableFound = found.reason();
        LOG.warn("group {}: {}", group.group(), found.reason());
        group.unreplayable(found.seq(), found.request(), found.replacementsFailed(), found.executed(), found.notRebuilt(),
                found.serving(), found.reason());
    }

    /** f+1 replicas failed at request {@code seq}: stop if all sent replies nobody asked for, else suspect it. */
    private Stop firstStrike(long seq, Request request, String evidence) {
        Pending p = pendingAt(seq);
        String name = request == null ? null : request.name();
        if (queryOfDeath.onlyUnaskedReplies()) {
            return new Stop(seq, queryOfDeath.reason(name, evidence));
        }
        if (p != null && !p.everAnswered) { // else it was found in a replay: its client had an answer
            p.failure = queryOfDeath.clientError(name, evidence);
            // The requests sent after it go down with the same replicas: say why, rather than "too few answered".
            for (Pending q : inflight) {
                if (q.seq > seq && !q.replied && q.failure == null) {
                    q.failure = queryOfDeath.queuedError(q.seq, q.request.name(), name);
                }
            }
        }
        String what = queryOfDeath.what(name, evidence);
        if (request != null && !request.readOnly() && log != null && !log.overflowed()) {
            queryOfDeath.suspect(request, name);
            LOG.warn("group {}: {}; their replacements are replayed the log, and if {} of them fail at #{} again it is {}", group.group(), what,
                    quorum.agreementNeeded(), seq, queryOfDeath.suspectKept() ? "reported, and kept in the log, since"
                            + " replicas answered it or may yet" : "dropped from the log");
        } else {
            LOG.warn("group {}: {}; no replacement is fed it again ({}), so the group recovers", group.group(), what, request == null
                    ? "it is no longer known" : request.readOnly() ? "it changes no state, so it is not in the replay log"
                    : log == null ? "replacements start empty" : "the replay log overflowed");
        }
        return null;
    }

    private Pending pendingAt(long seq) {
        for (Pending p : inflight) {
            if (p.seq == seq) {
                return p;
            }
        }
        return null;
    }

    private void removeFromVotes(int i) {
        int bit = 1 << i;
        List<Pending> touched = new ArrayList<>();
        for (Pending p : inflight) {
            if (p.retired || (p.sent & bit) == 0) {
                continue;
            }
            p.sent &= ~bit;
            if ((p.answered & bit) != 0) {
                p.answered &= ~bit;
                if (!p.ballot.isDecided()) {
                    p.ballot.withdraw(i);
                }
            }
            p.originals[i] = null;
            touched.add(p);
        }
        for (Pending p : touched) {
            if (!p.replied && !p.ballot.isDecided()
                    && p.ballot.recheckDecidable(p.expected()) == Ballot.Outcome.UNDECIDABLE) {
                undecidable(p);
            }
            retireIfDone(p);
        }
    }

    private void pumpReplay(int i) {
        Slot s = slots[i];
        if (s.replayNext < 0 || s.link == null) {
            return;
        }
        boolean wrote = false;
        if (s.replayOutstanding == 0 && s.replayNext < log.size()) {
            s.lastProgressNanos = now(); // nothing was owed: the wait for progress starts now
        }
        while (s.alone == null && s.replayNext < log.size() && s.replayOutstanding < replayWindow && s.link.isWritable()) {
            Request r = log.get(s.replayNext);
            if (r == null) { // a request of death, skipped
                s.replayNext++;
                continue;
            }
            boolean alone = queryOfDeath.isSuspect(r) || neverAnswered.containsKey(r) || replayDoubt.contains(r);
            if (alone && s.replayOutstanding > 0) {
                // Only once everything before it is answered: then it is the oldest request the replica owes
                // for as long as it runs, so a crash or a hang from now on is the request's doing or the replica's.
                break;
            }
            Replay entry = new Replay(r, s.replayNext, log.seq(s.replayNext));
            s.replayNext++;
            s.expects.addLast(entry);
            s.link.write(r.bytes());
            s.replayOutstanding++;
            s.replayed++;
            wrote = true;
            if (alone) {
                // Nothing after it either, and no live request, until it is answered: clients are told to retry
                // rather than having their requests queued behind one that may hang this replica too.
                s.alone = entry;
                break;
            }
        }
        if (wrote) {
            markDirty(s);
        }
        if (s.replayNext == log.size() && s.alone == null) {
            // The log is fully sent: from the next request on this replica gets live requests. Every
            // state change before that point is in the log, so nothing falls between the two.
            s.replayNext = -1;
            s.live = true;
            checkCaughtUp(i);
        }
    }

    private void checkCaughtUp(int i) {
        Slot s = slots[i];
        if (s.catchingUp && s.live && s.replayOutstanding == 0) {
            s.catchingUp = false;
            group.caughtUp(i, nextSeq - 1, s.replayed);
            cutLog();
        }
    }

    private void replayLogOverflowed(long seq) {
        // The bound named: "overflowed" alone left the user to guess which of the two settings to raise.
        if (checkpoints == null) {
            LOG.warn("group {}: replay log overflowed at request #{}: {}; replicas that fail from now on cannot be rebuilt (raise"
                    + " it, or restart the gateway to regain redundancy)", group.group(), seq, log.overflowCause());
        } else {
            // Each checkpoint taken while it is overflowed keeps the log again from there: it may overflow once more.
            LOG.warn("group {}: replay log overflowed at request #{}: {}; replicas that fail cannot be rebuilt until the next"
                    + " checkpoint is stored and the log starts again there (raise it: it must hold the writes that arrive"
                    + " while a checkpoint is taken)", group.group(), seq, log.overflowCause());
        }
        neverAnswered.clear();
        replayDoubt.clear();
        unreplayable.clear(); // no replica is rebuilt any more: the status says that instead
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].link != null && slots[i].replayNext >= 0) {
                fault(i, FaultKind.START_FAILURE, seq, "the replay log overflowed while this replica was replaying it");
            }
        }
    }


    // ---- checkpoints -----------------------------------------------------------------------------

    /**
     * Numbers requests on from {@code seq + 1}: the replicas start from the servers' state saved at request {@code seq}
     * (a cluster host started from a Raft snapshot), so the replay log starts after it. Call before they start.
     */
    public void startAfter(long seq) {
        if (log == null || nextSeq != 1) {
            throw new IllegalStateException("only a group with a replay log, before its first request, starts after a checkpoint");
        }
        nextSeq = seq + 1;
        log.compactThrough(seq);
    }

    /**
     * Takes a checkpoint now, after everything sequenced so far (a cluster host's Raft snapshot, which must cover
     * exactly the requests executed until now). Returns its save's request number, whose outcome comes as for a
     * periodic one ({@link GroupCallbacks#checkpointSaved}, then {@link #checkpointStored}, or
     * {@link GroupCallbacks#checkpointNotTaken}), or -1 while another
     * checkpoint is being taken (ask again once {@link #checkpointBusy()} is false).
     *
     * @throws IllegalStateException saying why none can be taken now (too few healthy replicas, a stopped group)
     */
    public long checkpointNow() {
        if (checkpoints == null) {
            throw new IllegalStateException("the group takes no checkpoints (no checkpoint: in its config)");
        }
        if (checkpointBusy) {
            return -1;
        }
        if (failStop != null) {
            throw new IllegalStateException("the group stopped answering: " + failStop);
        }
        int live = Integer.bitCount(liveMask());
        if (live < quorum.agreementNeeded()) {
            throw new IllegalStateException(tooFew(live) + " on a checkpoint");
        }
        checkpoint();
        if (!checkpointBusy) {
            throw new IllegalStateException("the replicas refused its requests");
        }
        return nextSeq - 1;
    }

    /** A checkpoint was asked for and its outcome is not known yet. */
    public boolean checkpointBusy() {
        return checkpointBusy;
    }

    /** Takes checkpoints of the servers' state by {@code plan}; call before the replicas start. Needs a replay log. */
    public void checkpoints(CheckpointPlan plan) {
        if (log == null) {
            throw new IllegalStateException("checkpoints cut the replay log, and there is none");
        }
        this.checkpoints = plan;
    }

    /**
     * Counts logged {@code request}: a checkpoint is due after {@code every} of them, or sooner once they fill half the
     * log's byte bound, which large writes reach first (the other half holds what arrives while one is taken).
     */
    private boolean checkpointDue(Request request) {
        loggedSinceCheckpoint++;
        loggedBytesSinceCheckpoint += request.bytes().length;
        return loggedSinceCheckpoint >= checkpoints.every() || loggedBytesSinceCheckpoint > log.byteLimit() / 2;
    }

    /**
     * Sends the checkpoint's requests after everything sequenced so far. When f+1 replicas agreed on the save and on
     * the digest before it, one of them is named to {@link GroupCallbacks#checkpointSaved}, which copies what it
     * saved and answers {@link #checkpointStored}.
     */
    private void checkpoint() {
        checkpointBusy = true;
        loggedSinceCheckpoint = 0;
        loggedBytesSinceCheckpoint = 0;
        Pending digest = submit(checkpoints.digest(), reply -> { }, false);
        if (digest == null) {
            checkpointBusy = false;
            return;
        }
        Pending[] save = new Pending[1]; // its reply slot runs once the save is voted, after submit returned it
        save[0] = submit(checkpoints.save(), reply -> saved(digest, save[0]), false);
        if (save[0] == null) {
            checkpointBusy = false;
        } else if (log.overflowed()) {
            // Every write from the next on is kept again, before any is sequenced: once this checkpoint is stored the
            // log starts again there, as a cut would leave it, with nothing between the two missing.
            log.restartAfter(save[0].seq);
        }
    }

    /** The save's vote ended (decided, or not): pick a replica whose save and digest agreed with f+1. */
    private void saved(Pending digest, Pending save) {
        if (save == null) {
            return; // answered inside submit: refused, checkpointBusy is reset in checkpoint()
        }
        if (!save.ballot.isDecided() || !digest.ballot.isDecided()) {
            checkpointBusy = false;
            group.checkpointNotTaken(save.seq, "no " + quorum.agreementNeeded() + " replicas agreed on "
                    + (!digest.ballot.isDecided() ? "the state's digest" : "the reply to " + save.request.name()));
            LOG.warn("group {}: checkpoint at request #{} not taken: no {} replicas agreed on {}", group.group(), save.seq,
                    quorum.agreementNeeded(), !digest.ballot.isDecided() ? "the state's digest"
                            : "the reply to " + save.request.name());
            return;
        }
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].link != null && Arrays.equals(save.ballot.replyOf(i), save.ballot.decided())
                    && Arrays.equals(digest.ballot.replyOf(i), digest.ballot.decided())) {
                group.checkpointSaved(save.seq, i, digest.ballot.decided());
                return;
            }
        }
        checkpointBusy = false;
        group.checkpointNotTaken(save.seq, "no replica that agreed on it is connected any more");
    }

    /**
     * What {@link GroupCallbacks#checkpointSaved} did with the checkpoint at request {@code seq}: stored it (the
     * replay log is cut there once no replica is replaying) or not (the next one is asked for after another
     * {@code every} logged requests).
     */
    public void checkpointStored(long seq, boolean stored) {
        checkpointBusy = false;
        if (stored && seq > cutPending) {
            cutPending = seq;
            cutLog();
        }
    }

    /**
     * Cuts the replay log at the stored checkpoint, unless a replica is replaying it (its place would move). A log that
     * overflowed starts again there if it kept every request since ({@link ReplayLog#restartAfter}).
     */
    private void cutLog() {
        if (cutPending == 0) {
            return;
        }
        for (Slot s : slots) {
            if (s.link != null && (s.replayNext >= 0 || s.replayOutstanding > 0)) {
                return; // again when it caught up
            }
        }
        long seq = cutPending;
        cutPending = 0;
        boolean overflowed = log.overflowed();
        int dropped = log.compactThrough(seq);
        if (log.overflowed()) {
            return; // it overflowed before this checkpoint was taken, or again since: the next one tries again
        }
        neverAnswered.values().removeIf(q -> q <= seq);
        Set<Request> kept = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int k = 0; k < log.size(); k++) {
            kept.add(log.get(k));
        }
        replayDoubt.retainAll(kept);
        if (!unreplayable.headMap(seq, true).isEmpty()) {
            LOG.info("group {}: request #{} is in the servers' saved state now: failed replicas can be rebuilt again",
                    group.group(), unreplayable.firstKey());
            unreplayable.headMap(seq, true).clear();
        }
        group.logCut(seq, dropped);
        if (overflowed) {
            LOG.info("group {}: replay log restarted at checkpoint #{}: failed replicas can be rebuilt again from it, and"
                    + " those not replaced while it overflowed are started again", group.group(), seq);
            group.logRestarted(seq);
        }
    }

    // ---- time --------------------------------------------------------------------------------------

    /**
     * The monotonic clock, read at most once per event-loop task: reading it costs 50 to 200 ns on a
     * virtual machine, several times per request otherwise. Deadlines are far longer than one task.
     */
    private long now() {
        if (!clockRead) {
            clockRead = true;
            cachedNanos = clock.at(nanos.getAsLong());
            later.execute(this::forgetClock);
        }
        return cachedNanos;
    }

    private void forgetClock() {
        clockRead = false;
    }

    // ---- I/O batching ----------------------------------------------------------------------------

    private void markDirty(Slot s) {
        s.dirty = true;
        if (!flushScheduled) {
            flushScheduled = true;
            later.execute(this::flushAll);
        }
    }

    private void flushAll() {
        flushScheduled = false;
        for (Slot s : slots) {
            if (s.dirty) {
                s.dirty = false;
                if (s.link != null) {
                    s.link.flush();
                }
            }
        }
    }

    // ---- status ----------------------------------------------------------------------------------

    private int liveMask() {
        int m = 0;
        for (int i = 0; i < slots.length; i++) {
            if (slots[i].live && slots[i].link != null) {
                m |= 1 << i;
            }
        }
        return m;
    }

    /** "live", "replaying" or "out". */
    public String slotState(int i) {
        Slot s = slots[i];
        if (s.link == null) {
            return "out";
        }
        return s.catchingUp ? "replaying" : "live";
    }

    public int inFlight() {
        return open;
    }

    public long sequenced() {
        return nextSeq - 1;
    }

    /** Requests answered with an error because no f+1 replicas agreed (reads, or too few replicas). */
    public long undecided() {
        return undecided;
    }

    /**
     * Why requests get no voted answer though the group has not fail-stopped, or null while f+1 replicas are healthy:
     * the others are being rebuilt, or cannot be, for good (one line, as a client is told it). Event loop only.
     */
    public String notServing() {
        int live = Integer.bitCount(liveMask());
        if (failStop != null || live >= quorum.agreementNeeded()) {
            return null;
        }
        return tooFew(live) + outOfTheVote("; the others are being rebuilt");
    }

    private String tooFew(int live) {
        return "only " + live + " of " + quorum.replicas() + " replicas are healthy and " + quorum.agreementNeeded()
                + " must agree";
    }

    /**
     * Whether the replicas out of the vote are rebuilt, asked while fewer than f+1 are healthy. Not once the log
     * overflowed: a failed replica is then only rebuilt after the next checkpoint is stored, a checkpoint is voted like
     * any reply, by f+1 replicas that are no longer there, and the writes that would bring one are refused. One already
     * being taken may still be stored, from a replica that agreed on it, and bring them back.
     */
    private boolean rebuilt() {
        return log == null || !log.overflowed() || checkpointBusy;
    }

    /**
     * What becomes of the replicas out of the vote, said after {@link #tooFew}: {@code whileRebuilt} while they are
     * rebuilt, else why they are not. A client told to retry shortly while no replacement can get past a request
     * that kills every server replaying it would retry until the server is fixed.
     */
    private String outOfTheVote(String whileRebuilt) {
        if (!rebuilt()) {
            return neverRebuilt();
        }
        if (!unreplayable.isEmpty()) {
            return "; the others cannot be rebuilt past " + unreplayable.firstEntry().getValue().request() + ", which"
                    + " kills every server that replays it: fix what makes the server fail on it, and the next"
                    + " replacement to replay it rejoins";
        }
        return whileRebuilt;
    }

    /** Why the group will not answer again, and what to do: a client told to retry shortly would retry forever. */
    private String neverRebuilt() {
        return ", and the others cannot be rebuilt: the replay log overflowed (" + log.overflowCause() + ")"
                + (checkpoints == null ? "" : " and the checkpoint that would start it again needs "
                        + quorum.agreementNeeded() + " healthy replicas")
                + "; the group will not answer again until the gateway is restarted";
    }

    /** Why the group fail-stopped, or null. */
    public String failStop() {
        return failStop;
    }

    public ReplayLog replayLog() {
        return log;
    }

    /**
     * Why failed replicas cannot be rebuilt by replay: the report of the oldest logged request replicas answered that
     * kills every server replaying it, kept in the log (see {@link #unreplayable}); null if there is none.
     */
    public String unreplayableRequest() {
        return unreplayable.isEmpty() ? null : unreplayable.firstEntry().getValue().reason();
    }

    /** Logged requests no replica has answered, each replayed alone (for tests: the set must not grow stale). */
    int neverAnsweredCount() {
        return neverAnswered.size();
    }

    /** Logged requests replayed alone because a replay failed in a window they were in (for tests, likewise). */
    int replayDoubtCount() {
        return replayDoubt.size();
    }
}

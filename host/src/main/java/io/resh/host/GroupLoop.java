package io.resh.host;

import io.resh.core.Ballot;
import io.resh.core.Digest;
import io.resh.core.FailStopException;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.core.Quorum;
import io.resh.core.config.GroupConfig;
import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import java.io.IOException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one replica group, run on one thread. It owns the request log, the ballots,
 * the checkpoints and every slot; other threads only post messages to its inbox. Ordering, voting,
 * detection and recovery are therefore free of locks and of races between each other.
 */
final class GroupLoop implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoop.class);
    private static final long TIMER_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    /** A client request. */
    record Submit(byte[] payload, CompletableFuture<byte[]> reply, boolean ordered, long timeMillis, long seed) {
        Submit(byte[] payload, CompletableFuture<byte[]> reply) {
            this(payload, reply, false, 0, 0);
        }
    }

    /** Work to run on the loop thread (status, injections, admin actions). */
    record Task(Runnable action) {
    }

    private final GroupConfig config;
    private final Quorum quorum;
    private final ReplicaLauncher launcher;
    private final FrameCodec codec;
    private final Clock clock;
    private final LongSupplier nanos;
    private final LinkedTransferQueue<Object> inbox = new LinkedTransferQueue<>();
    private final Slot[] slots;
    private final RequestLog log = new RequestLog();
    private final TreeMap<Long, Ballot> digestVotes = new TreeMap<>();
    private final Map<Long, Integer> dmrDigestMismatches = new HashMap<>();
    private final SplittableRandom seeds;
    private final List<Consumer<GroupEvent>> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Long> counters = new LinkedHashMap<>();
    private final Map<Integer, ArrayDeque<CompletableFuture<String>>> pendingInjections = new HashMap<>();
    private final long requestTimeoutNanos;

    private Checkpoint stable;
    private PendingFetch fetching;
    private long firstUnanswered = 1;
    private FailStopException failed;
    private volatile boolean running = true;

    private record PendingFetch(long sequence, Digest digest, int slot, long sinceNanos) {
    }

    GroupLoop(GroupConfig config, ReplicaLauncher launcher, Clock clock, LongSupplier nanos, Checkpoint initial) {
        this.config = config;
        this.quorum = new Quorum(config.replicas());
        this.launcher = launcher;
        this.codec = new FrameCodec(config.maxRequestBytes(), config.maxSnapshotBytes());
        this.clock = clock;
        this.nanos = nanos;
        this.seeds = new SplittableRandom(config.seed() != null ? config.seed() : System.nanoTime());
        this.slots = new Slot[config.replicas()];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i, config.specs().get(i));
        }
        this.stable = initial;
        this.log.startAfter(initial.sequence());
        this.firstUnanswered = initial.sequence() + 1;
        this.requestTimeoutNanos = config.startTimeout().plus(config.deadline().multipliedBy(2)).toNanos();
        for (String c : List.of("requests", "replies", "service-errors", "recoveries", "checkpoints", "rollbacks",
                "unavailable")) {
            counters.put(c, 0L);
        }
        for (FaultKind k : FaultKind.values()) {
            counters.put("faults." + k.label(), 0L);
        }
    }

    // ---- entry points for other threads ------------------------------------------------------------

    void post(Object message) {
        inbox.add(message);
    }

    void addListener(Consumer<GroupEvent> listener) {
        listeners.add(listener);
    }

    void stop() {
        running = false;
        inbox.add(new Task(() -> { }));
    }

    Quorum quorum() {
        return quorum;
    }

    // ---- the loop ----------------------------------------------------------------------------------

    @Override
    public void run() {
        for (Slot s : slots) {
            launch(s);
        }
        long lastTimers = nanos.getAsLong();
        try {
            while (running) {
                Object m = inbox.poll(TIMER_PERIOD_NANOS, TimeUnit.NANOSECONDS);
                int handled = 0;
                while (m != null) {
                    handle(m);
                    if (++handled >= 16_384) {
                        break;
                    }
                    m = inbox.poll();
                }
                dispatch();
                long now = nanos.getAsLong();
                if (now - lastTimers >= TIMER_PERIOD_NANOS) {
                    checkTimers(now);
                    lastTimers = now;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            LOG.error("group {}: loop failed; stopping every replica", config.name(), e);
            failStop(log.lastSequence(), "internal error in the group loop: " + e);
        } finally {
            shutdownAll();
        }
    }

    private void handle(Object m) {
        if (m instanceof Submit s) {
            onSubmit(s);
        } else if (m instanceof ReplicaProcess.Inbound in) {
            Slot slot = current(in.source());
            if (slot != null) {
                slot.lastHeardNanos = nanos.getAsLong();
                onFrame(slot, in.frame());
            }
        } else if (m instanceof ReplicaProcess.Broken b) {
            Slot slot = current(b.source());
            if (slot != null) {
                fault(slot, b.kind(), slot.repliedThrough + 1, b.evidence());
            }
        } else if (m instanceof Task t) {
            t.action().run();
        }
    }

    /** The slot whose current incarnation is {@code p}, or null for messages from replaced processes. */
    private Slot current(ReplicaProcess p) {
        Slot s = slots[p.slot];
        return s.process == p && s.hasProcess() ? s : null;
    }

    // ---- requests and replies ----------------------------------------------------------------------

    private void onSubmit(Submit s) {
        if (failed != null) {
            s.reply().completeExceptionally(failed);
            return;
        }
        if (!running) {
            s.reply().completeExceptionally(new UnavailableException("group " + config.name() + " is closed"));
            return;
        }
        if (s.payload().length > config.maxRequestBytes()) {
            s.reply().completeExceptionally(new IllegalArgumentException("request of " + s.payload().length
                    + " bytes exceeds maxRequestBytes " + config.maxRequestBytes()));
            return;
        }
        long seq = log.nextSequence();
        long time = s.ordered() ? s.timeMillis() : clock.millis();
        long seed = s.ordered() ? s.seed() : seeds.nextLong();
        log.append(new LogEntry(seq, time, seed, s.payload(), new Ballot(quorum), s.reply(), nanos.getAsLong()));
        count("requests");
    }

    /** Sends every slot that takes requests whatever it has not been sent yet, one batch per slot. */
    private void dispatch() {
        long last = log.lastSequence();
        for (Slot slot : slots) {
            if (slot.receivesRequests() && slot.cursor <= last) {
                if (!slot.outstanding()) {
                    slot.progressNanos = nanos.getAsLong();
                }
                while (slot.cursor <= last) {
                    LogEntry e = log.get(slot.cursor);
                    slot.outbox.add(new Frame.Request(e.sequence, e.timeMillis, e.seed, e.payload));
                    if (e.sequence % config.checkpointEvery() == 0) {
                        slot.outbox.add(new Frame.Checkpoint(e.sequence));
                    }
                    slot.cursor++;
                }
            }
            if (!slot.outbox.isEmpty()) {
                if (slot.process != null && slot.hasProcess()) {
                    slot.process.send(new ArrayList<>(slot.outbox));
                }
                slot.outbox.clear();
            }
        }
    }

    private void onFrame(Slot slot, Frame frame) {
        if (frame instanceof Frame.Reply r) {
            onReply(slot, r);
        } else if (frame instanceof Frame.Heartbeat) {
            return;
        } else if (frame instanceof Frame.StateDigest d) {
            onDigest(slot, d.sequence(), Digest.wrap(d.digest()));
        } else if (frame instanceof Frame.Snapshot s) {
            onSnapshot(slot, s);
        } else if (frame instanceof Frame.Hello h) {
            onHello(slot, h);
        } else if (frame instanceof Frame.Restored r) {
            if (!r.ok()) {
                fault(slot, FaultKind.START_FAILURE, r.sequence(), "restore of checkpoint #" + r.sequence() + " failed: " + r.detail());
            }
        } else if (frame instanceof Frame.Injected i) {
            String detail = i.detail();
            InjectedFault kind = InjectedFault.values()[i.fault()];
            emit(new GroupEvent.FaultInjected(clock.millis(), config.name(), slot.index, slot.cpu, log.lastSequence(),
                    kind.label(), detail));
            ArrayDeque<CompletableFuture<String>> q = pendingInjections.get(slot.index);
            if (q != null && !q.isEmpty()) {
                q.poll().complete(detail);
            }
        } else {
            fault(slot, FaultKind.PROTOCOL, slot.repliedThrough + 1,
                    "a replica must not send " + frame.getClass().getSimpleName() + " frames");
        }
    }

    private void onHello(Slot slot, Frame.Hello h) {
        if (slot.state != SlotState.STARTING) {
            fault(slot, FaultKind.PROTOCOL, slot.repliedThrough + 1, "second hello from a running replica");
            return;
        }
        if (h.protocol() != FrameCodec.VERSION) {
            fault(slot, FaultKind.START_FAILURE, 0, "replica speaks IPC protocol " + h.protocol() + ", host speaks " + FrameCodec.VERSION);
            return;
        }
        if (!stable.initial()) {
            slot.outbox.add(new Frame.Restore(stable.sequence(), stable.digest().bytes(), stable.snapshot()));
        }
        slot.cursor = stable.sequence() + 1;
        slot.repliedThrough = stable.sequence();
        slot.replayFrom = slot.cursor;
        slot.catchUpTarget = log.lastSequence();
        setState(slot, SlotState.CATCHING_UP);
        slot.progressNanos = nanos.getAsLong();
        maybeCaughtUp(slot);
    }

    private void onReply(Slot slot, Frame.Reply r) {
        long seq = r.sequence();
        if (seq != slot.repliedThrough + 1) {
            fault(slot, FaultKind.PROTOCOL, seq, "reply #" + seq + " out of order: expected #" + (slot.repliedThrough + 1));
            return;
        }
        slot.repliedThrough = seq;
        slot.progressNanos = nanos.getAsLong();
        LogEntry e = log.get(seq);
        if (e != null && !e.ballot.hasCast(slot.index)) {
            Ballot.Outcome outcome = e.ballot.cast(slot.index, r.body(), quorum.replicas());
            switch (outcome) {
                case DECIDED -> {
                    release(e);
                    for (int d : e.ballot.dissenters()) {
                        divergence(slots[d], e);
                    }
                }
                case DISSENTS -> divergence(slot, e);
                case UNDECIDABLE -> undecidable(e);
                default -> { }
            }
        }
        if (slot.state == SlotState.CATCHING_UP) {
            maybeCaughtUp(slot);
        }
    }

    private void release(LogEntry e) {
        if (e.answered) {
            return;
        }
        e.answered = true;
        byte[] body = e.ballot.decided();
        if (body[0] == FrameCodec.STATUS_OK) {
            e.reply.complete(Arrays.copyOfRange(body, 1, body.length));
            count("replies");
        } else {
            e.reply.completeExceptionally(new ServiceErrorException(e.sequence,
                    new String(body, 1, body.length - 1, StandardCharsets.UTF_8)));
            count("service-errors");
        }
    }

    private void divergence(Slot slot, LogEntry e) {
        fault(slot, FaultKind.DIVERGENCE, e.sequence, "reply to #" + e.sequence + " differs: "
                + Evidence.diff(e.ballot.decided(), e.ballot.replyOf(slot.index)));
    }

    private void undecidable(LogEntry e) {
        if (quorum.detectOnly()) {
            dmrMismatch(e.sequence, ++e.mismatches, "replies to #" + e.sequence + " differ: "
                    + Evidence.diff(e.ballot.replyOf(0), e.ballot.replyOf(1)));
        } else {
            failStop(e.sequence, "no reply to #" + e.sequence + " reached " + quorum.agreementNeeded()
                    + " equal votes among " + quorum.replicas() + " replicas (more than f=" + quorum.faultsMasked() + " faulty)");
        }
    }

    /** DMR: the first mismatch rolls both replicas back to the stable checkpoint; the second fails stop. */
    private void dmrMismatch(long seq, int mismatches, String evidence) {
        if (mismatches >= 2) {
            failStop(seq, "the two replicas disagreed again after rolling back to checkpoint #" + stable.sequence()
                    + " (" + evidence + ")");
            return;
        }
        count("rollbacks");
        emit(new GroupEvent.RolledBack(clock.millis(), config.name(), stable.sequence(), seq, evidence));
        LOG.warn("group {}: DMR mismatch at #{}; rolling back to checkpoint #{} and re-executing ({})",
                config.name(), seq, stable.sequence(), evidence);
        for (Slot s : slots) {
            restart(s, "rollback to checkpoint #" + stable.sequence(), seq);
        }
    }

    private void maybeCaughtUp(Slot slot) {
        if (slot.state == SlotState.CATCHING_UP && slot.repliedThrough >= slot.catchUpTarget) {
            setState(slot, SlotState.ACTIVE);
            if (slot.recoveryStartNanos >= 0) {
                long ms = TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - slot.recoveryStartNanos);
                long replayed = Math.max(0, slot.catchUpTarget - slot.replayFrom + 1);
                slot.recoveryStartNanos = -1;
                slot.backoffLevel = 0;
                count("recoveries");
                emit(new GroupEvent.RecoveryCompleted(clock.millis(), config.name(), slot.index, slot.cpu,
                        slot.repliedThrough, ms, replayed));
                LOG.info("group {}: replica {} recovered in {} ms (replayed {} requests)", config.name(), slot.index,
                        ms, replayed);
            }
        }
    }

    // ---- checkpoints -------------------------------------------------------------------------------

    private void onDigest(Slot slot, long seq, Digest digest) {
        slot.digestSequence = seq;
        slot.digest = digest.hex();
        if (seq <= stable.sequence()) {
            if (seq == stable.sequence() && !digest.equals(stable.digest())) {
                stateDivergence(slot, seq, stable.digest(), digest);
            }
            return;
        }
        Ballot tally = digestVotes.computeIfAbsent(seq, k -> new Ballot(quorum));
        if (tally.hasCast(slot.index)) {
            return;
        }
        switch (tally.cast(slot.index, digest.bytes(), quorum.replicas())) {
            case DECIDED -> {
                Digest agreed = Digest.wrap(tally.decided());
                fetchSnapshot(seq, agreed, -1);
                for (int d : tally.dissenters()) {
                    stateDivergence(slots[d], seq, agreed, Digest.wrap(tally.replyOf(d)));
                }
            }
            case DISSENTS -> stateDivergence(slot, seq, Digest.wrap(tally.decided()), digest);
            case UNDECIDABLE -> {
                if (quorum.detectOnly()) {
                    int n = dmrDigestMismatches.merge(seq, 1, Integer::sum);
                    dmrMismatch(seq, n, "state digests at checkpoint #" + seq + " differ: "
                            + Digest.wrap(tally.replyOf(0)).shortHex() + " vs " + Digest.wrap(tally.replyOf(1)).shortHex());
                } else {
                    failStop(seq, "no state digest at checkpoint #" + seq + " reached " + quorum.agreementNeeded() + " equal votes");
                }
            }
            default -> { }
        }
    }

    private void stateDivergence(Slot slot, long seq, Digest agreed, Digest actual) {
        fault(slot, FaultKind.STATE_DIVERGENCE, seq, "state digest at checkpoint #" + seq + " is " + actual.shortHex()
                + ", the stable one is " + agreed.shortHex() + ": latent state corruption");
    }

    /** Asks one replica whose digest matched for its snapshot; {@code exclude} is a slot that just failed to deliver. */
    private void fetchSnapshot(long seq, Digest digest, int exclude) {
        Ballot tally = digestVotes.get(seq);
        Slot best = null;
        for (Slot s : slots) {
            if (s.index != exclude && s.receivesRequests() && tally != null && tally.hasCast(s.index)
                    && Arrays.equals(tally.replyOf(s.index), digest.bytes())
                    && (best == null || (s.state == SlotState.ACTIVE && best.state != SlotState.ACTIVE))) {
                best = s;
            }
        }
        if (best == null) {
            fetching = null;
            return;
        }
        fetching = new PendingFetch(seq, digest, best.index, nanos.getAsLong());
        best.outbox.add(new Frame.FetchSnapshot(seq));
    }

    private void onSnapshot(Slot slot, Frame.Snapshot s) {
        PendingFetch f = fetching;
        if (f == null || f.sequence() != s.sequence() || f.slot() != slot.index) {
            return; // superseded by a newer checkpoint
        }
        if (s.snapshot().length == 0) {
            fetching = null; // the replica already moved on; the next checkpoint will be stable instead
            return;
        }
        if (!Digest.of(s.snapshot()).equals(f.digest())) {
            fetching = null;
            fault(slot, FaultKind.STATE_DIVERGENCE, f.sequence(), "snapshot sent for checkpoint #" + f.sequence()
                    + " hashes to " + Digest.of(s.snapshot()).shortHex() + ", not the digest it voted for " + f.digest().shortHex());
            fetchSnapshot(f.sequence(), f.digest(), slot.index);
            return;
        }
        fetching = null;
        stable = new Checkpoint(f.sequence(), f.digest(), s.snapshot());
        log.truncateThrough(stable.sequence());
        digestVotes.headMap(stable.sequence(), true).clear();
        dmrDigestMismatches.keySet().removeIf(k -> k <= stable.sequence());
        count("checkpoints");
        emit(new GroupEvent.CheckpointStable(clock.millis(), config.name(), stable.sequence(), stable.digest(),
                s.snapshot().length));
    }

    /** Admin action: checkpoint now, at the last assigned sequence number. */
    void checkpointNow() {
        dispatch();
        long seq = log.lastSequence();
        if (seq <= stable.sequence() || seq % config.checkpointEvery() == 0) {
            return;
        }
        for (Slot s : slots) {
            if (s.receivesRequests()) {
                s.outbox.add(new Frame.Checkpoint(seq));
            }
        }
    }

    // ---- faults and recovery -----------------------------------------------------------------------

    private void fault(Slot slot, FaultKind kind, long seq, String evidence) {
        if (!slot.hasProcess() || failed != null) {
            return;
        }
        slot.faults++;
        slot.lastFault = kind.label() + " at #" + seq + ": " + evidence;
        count("faults." + kind.label());
        LOG.warn("group {}: replica {} (pid {}): {} at #{}: {}", config.name(), slot.index, slot.pid(), kind.label(), seq, evidence);
        emit(new GroupEvent.FaultDetected(clock.millis(), config.name(), slot.index, slot.cpu, seq, kind, evidence));
        restart(slot, kind.label(), seq);
    }

    /** Kills the slot's process and starts a fresh one that restores the stable checkpoint and replays. */
    private void restart(Slot slot, String reason, long seq) {
        if (slot.process != null) {
            slot.process.kill();
        }
        for (long s = log.firstSequence(); s <= log.lastSequence(); s++) {
            log.get(s).ballot.withdraw(slot.index);
        }
        for (Ballot b : digestVotes.values()) {
            b.withdraw(slot.index);
        }
        if (fetching != null && fetching.slot() == slot.index) {
            long fseq = fetching.sequence();
            Digest fdigest = fetching.digest();
            fetching = null;
            fetchSnapshot(fseq, fdigest, slot.index);
        }
        ArrayDeque<CompletableFuture<String>> q = pendingInjections.remove(slot.index);
        if (q != null) {
            q.forEach(f -> f.complete("replica was replaced before it carried the fault out"));
        }
        long now = nanos.getAsLong();
        if (slot.recoveryStartNanos < 0) {
            slot.recoveryStartNanos = now;
        }
        emit(new GroupEvent.RecoveryStarted(clock.millis(), config.name(), slot.index, slot.cpu, seq, reason));
        long window = config.restartWindow().toNanos();
        while (!slot.restartTimes.isEmpty() && now - slot.restartTimes.peekFirst() > window) {
            slot.restartTimes.pollFirst();
        }
        slot.restartTimes.addLast(now);
        if (slot.restartTimes.size() > config.maxRestarts()) {
            long backoffMs = Math.min(30_000, 1000L << Math.min(5, slot.backoffLevel++));
            slot.backoffUntilNanos = now + TimeUnit.MILLISECONDS.toNanos(backoffMs);
            setState(slot, SlotState.BACKING_OFF);
            slot.process = null;
            LOG.warn("group {}: replica {} restarted {} times within {} s; backing off {} ms", config.name(), slot.index,
                    slot.restartTimes.size(), config.restartWindow().toSeconds(), backoffMs);
            return;
        }
        launch(slot);
    }

    private void launch(Slot slot) {
        slot.incarnation++;
        slot.cpu = chooseCpu(slot);
        slot.outbox.clear();
        slot.cursor = stable.sequence() + 1;
        slot.repliedThrough = stable.sequence();
        slot.digestSequence = 0;
        slot.digest = "";
        long now = nanos.getAsLong();
        slot.lastHeardNanos = now;
        slot.progressNanos = now;
        try {
            Process p = launcher.start(slot.index, slot.cpu);
            slot.process = new ReplicaProcess(slot.index, slot.incarnation, slot.cpu, p, codec, this::post);
            setState(slot, SlotState.STARTING);
            emit(new GroupEvent.ReplicaStarted(clock.millis(), config.name(), slot.index, slot.cpu, p.pid(),
                    slot.incarnation, slot.spec.label()));
        } catch (IOException | RuntimeException e) {
            slot.process = null;
            slot.faults++;
            slot.lastFault = "start-failure: " + e.getMessage();
            count("faults." + FaultKind.START_FAILURE.label());
            emit(new GroupEvent.FaultDetected(clock.millis(), config.name(), slot.index, slot.cpu, 0,
                    FaultKind.START_FAILURE, "cannot start replica process: " + e.getMessage()));
            slot.backoffUntilNanos = now + TimeUnit.SECONDS.toNanos(1L << Math.min(5, slot.backoffLevel++));
            setState(slot, SlotState.BACKING_OFF);
        }
    }

    /** Pinned replicas get distinct cores; a replaced replica moves to the next free core. */
    private int chooseCpu(Slot slot) {
        if (!config.pin()) {
            return -1;
        }
        int cores = CpuPinning.cores();
        int start = slot.cpu < 0 ? slot.index % cores : (slot.cpu + 1) % cores;
        for (int k = 0; k < cores; k++) {
            int c = (start + k) % cores;
            boolean used = false;
            for (Slot other : slots) {
                used |= other != slot && other.hasProcess() && other.cpu == c;
            }
            if (!used) {
                return c;
            }
        }
        return start;
    }

    private void checkTimers(long now) {
        for (Slot slot : slots) {
            switch (slot.state) {
                case STARTING -> {
                    if (now - slot.stateSinceNanos > config.startTimeout().toNanos()) {
                        fault(slot, FaultKind.START_FAILURE, 0, "no hello within " + config.startTimeout().toSeconds()
                                + " s; see " + launcher.logFile(slot.index));
                    }
                }
                case CATCHING_UP, ACTIVE -> {
                    if (slot.outstanding() && now - slot.progressNanos > config.deadline().toNanos()) {
                        fault(slot, FaultKind.HANG, slot.repliedThrough + 1, "no reply to #" + (slot.repliedThrough + 1)
                                + " within the " + config.deadline().toMillis() + " ms deadline");
                    } else if (now - slot.lastHeardNanos > config.heartbeatTimeout().toNanos()) {
                        fault(slot, FaultKind.HANG, slot.repliedThrough + 1, "no heartbeat for "
                                + TimeUnit.NANOSECONDS.toMillis(now - slot.lastHeardNanos) + " ms");
                    }
                }
                case BACKING_OFF -> {
                    if (failed == null && running && now >= slot.backoffUntilNanos) {
                        launch(slot);
                    }
                }
                default -> { }
            }
        }
        if (fetching != null && now - fetching.sinceNanos() > config.deadline().toNanos() * 4) {
            fetching = null; // the next checkpoint will try again
        }
        // Requests nobody could answer in time (more than f replicas down for long) fail as unavailable.
        while (firstUnanswered <= log.lastSequence()) {
            LogEntry e = log.get(firstUnanswered);
            if (e == null || e.answered) {
                firstUnanswered++;
                continue;
            }
            if (now - e.submittedNanos <= requestTimeoutNanos) {
                break;
            }
            e.answered = true;
            count("unavailable");
            e.reply.completeExceptionally(new UnavailableException("request #" + e.sequence + " got no "
                    + quorum.agreementNeeded() + " matching replies within "
                    + TimeUnit.NANOSECONDS.toSeconds(requestTimeoutNanos) + " s"));
            firstUnanswered++;
        }
        if (firstUnanswered < log.firstSequence()) {
            firstUnanswered = log.firstSequence();
        }
    }

    private void failStop(long seq, String detail) {
        if (failed != null) {
            return;
        }
        failed = new FailStopException(seq, detail);
        LOG.error("group {}: {}", config.name(), failed.getMessage());
        emit(new GroupEvent.FailStopped(clock.millis(), config.name(), seq, detail));
        log.forEach(e -> {
            if (!e.answered) {
                e.answered = true;
                e.reply.completeExceptionally(failed);
            }
        });
        for (Slot s : slots) {
            if (s.process != null) {
                s.process.kill();
            }
            setState(s, SlotState.STOPPED);
        }
    }

    private void shutdownAll() {
        for (Slot s : slots) {
            if (s.process != null && s.hasProcess()) {
                s.process.shutdown();
            }
            setState(s, SlotState.STOPPED);
        }
        UnavailableException closed = new UnavailableException("group " + config.name() + " closed");
        log.forEach(e -> {
            if (!e.answered) {
                e.answered = true;
                e.reply.completeExceptionally(closed);
            }
        });
        Object m;
        while ((m = inbox.poll()) != null) {
            if (m instanceof Submit s) {
                s.reply().completeExceptionally(closed);
            } else if (m instanceof Task t) {
                t.action().run();
            }
        }
    }

    // ---- injection and status (run on the loop via Task) -------------------------------------------

    CompletableFuture<String> inject(int replica, InjectedFault fault, long arg) {
        CompletableFuture<String> done = new CompletableFuture<>();
        if (replica < 0 || replica >= slots.length) {
            done.completeExceptionally(new IllegalArgumentException("no replica " + replica + "; the group has "
                    + slots.length + " (0.." + (slots.length - 1) + ")"));
            return done;
        }
        Slot slot = slots[replica];
        if (!slot.hasProcess()) {
            done.completeExceptionally(new IllegalStateException("replica " + replica + " has no running process (" + slot.state.label() + ")"));
            return done;
        }
        long pid = slot.pid();
        switch (fault) {
            case CRASH -> {
                slot.process.process().destroyForcibly(); // SIGKILL; detection sees a crash like any other
                done.complete("SIGKILL sent to pid " + pid);
            }
            case HANG -> done.complete(Signals.stop(pid));
            default -> {
                slot.outbox.add(new Frame.Inject(fault.ordinal(), arg));
                pendingInjections.computeIfAbsent(replica, k -> new ArrayDeque<>()).add(done);
            }
        }
        if (!fault.insideReplica()) {
            emit(new GroupEvent.FaultInjected(clock.millis(), config.name(), replica, slot.cpu, log.lastSequence(),
                    fault.label(), done.getNow("")));
        }
        return done;
    }

    GroupStatus status() {
        List<ReplicaStatus> rs = new ArrayList<>();
        for (Slot s : slots) {
            rs.add(new ReplicaStatus(s.index, s.state, s.hasProcess() ? s.pid() : -1, s.cpu, s.incarnation,
                    s.spec.label(), s.repliedThrough, s.faults, s.lastFault, s.digestSequence, s.digest));
        }
        int pending = 0;
        for (long q = Math.max(firstUnanswered, log.firstSequence()); q <= log.lastSequence(); q++) {
            if (!log.get(q).answered) {
                pending++;
            }
        }
        return new GroupStatus(config.name(), quorum.replicas(), quorum.faultsMasked(),
                failed == null ? null : failed.getMessage(), log.lastSequence(), stable.sequence(),
                stable.digest() == null ? "" : stable.digest().hex(), log.size(), pending, new LinkedHashMap<>(counters), rs);
    }

    /** The stable checkpoint's snapshot bytes (null before the first), for tools and tests. */
    Checkpoint stableCheckpoint() {
        return stable;
    }

    Path logFile(int replica) {
        return launcher.logFile(replica);
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    private void setState(Slot slot, SlotState state) {
        if (slot.state != state) {
            slot.state = state;
            slot.stateSinceNanos = nanos.getAsLong();
        }
    }

    private void count(String name) {
        counters.merge(name, 1L, Long::sum);
    }

    private void emit(GroupEvent event) {
        for (Consumer<GroupEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("group {}: event listener failed on {}: {}", config.name(), event.type(), e.toString());
            }
        }
    }
}

package io.resh.host;

import io.resh.core.Ballot;
import io.resh.core.Digest;
import io.resh.core.Durations;
import io.resh.core.FailStopException;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.core.Quorum;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedTransferQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one replica group, run on one thread. It owns the request log, the ballots,
 * the checkpoints and every slot; other threads only post messages to its inbox. Ordering, voting,
 * detection and recovery are therefore free of locks and of races between each other.
 *
 * <p>Decisions beyond "restart what failed" are taken by pure policies it consults: {@link
 * ReputationBook} (trust in slots, versions and cores), {@link CoreSelector} (placement and rotation),
 * {@link RestartIntensity} (back-off and quarantine), {@link RejuvenationSchedule}, {@link
 * RedundancyPolicy} (adaptive DMR/TMR), {@link PoisonWatch} (requests of death, applied by {@link
 * PoisonRequests}) and {@link SelfCheck} (the supervisor's own invariants).
 */
final class GroupLoop implements Runnable, CheckpointTracker.Owner {
    private static final Logger LOG = LoggerFactory.getLogger(GroupLoop.class);
    private static final long TIMER_PERIOD_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** A gap between two timer checks this much longer than the period is a stall of the host, not of its replicas. */
    private static final long STALL_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    /**
     * How long the idle loop polls its inbox before parking, from the system property {@value #SPIN_PROPERTY}
     * in microseconds (default 0: park at once). Spinning saves a wake-up per message that arrives in that
     * time but burns a core meanwhile: on a machine with fewer cores than replicas it takes CPU from them.
     */
    static final String SPIN_PROPERTY = "resh.loop.spinMicros";
    private final long spinNanos = TimeUnit.MICROSECONDS.toNanos(TuningProperty.number(SPIN_PROPERTY, 0, 0, 1_000_000));
    /** Most requests sent ahead of a catching-up replica's replies (see {@link #dispatch}). */
    static final int REPLAY_WINDOW = 512;
    /** Adaptive redundancy: the slot that is dormant in DMR mode. */
    static final int SPARE = 2;

    /** A client request. */
    record Submit(byte[] payload, CompletableFuture<byte[]> reply, boolean ordered, long timeMillis, long seed) {
        Submit(byte[] payload, CompletableFuture<byte[]> reply) {
            this(payload, reply, false, 0, 0);
        }
    }

    /** Requests submitted together: one message to the loop for all of them, ordered as listed. */
    record SubmitBatch(Submit[] submits) {
    }

    /**
     * Work to run on the loop thread (status, injections, admin actions). {@code rejected} is told instead
     * when the loop has already stopped, so nobody waits for an answer that will never come.
     */
    record Task(Runnable action, Consumer<UnavailableException> rejected) {
        Task(Runnable action) {
            this(action, closed -> { });
        }
    }

    /**
     * Why a slot's process is being replaced; only faults and self-repairs count toward the restart intensity.
     * POISON: a request of death killed it, or would (see {@link PoisonRequests}).
     */
    enum Cause {
        FAULT, SELF_REPAIR, ROLLBACK, REJUVENATION, OPERATOR, POISON;

        boolean counts() {
            return this == FAULT || this == SELF_REPAIR;
        }
    }

    final GroupConfig config;
    final Quorum quorum;
    private final ReplicaLauncher launcher;
    private final FrameCodec codec;
    private final Clock clock;
    private final LongSupplier nanos;
    /** The monotonic clock when the loop took the message it is handling (or handled last). */
    private long messageNanos;
    private final LinkedTransferQueue<Object> inbox = new LinkedTransferQueue<>();
    final Slot[] slots;
    final RequestLog log = new RequestLog();
    final CheckpointTracker checkpoints;
    final ReputationBook reputation;
    final RestartIntensity intensity;
    final Placement placement;
    final Escalation escalation;
    final Supervisor supervisor;
    private final PoisonRequests poison = new PoisonRequests(this);
    private final SplittableRandom seeds;
    private final List<Consumer<GroupEvent>> listeners = new CopyOnWriteArrayList<>();
    /** Copy-on-write array: released replies iterate it without allocating. */
    private volatile ReplyListener[] replyListeners = new ReplyListener[0];
    /** Every replica process ever launched and maybe still alive, for the JVM shutdown hook (any thread). */
    private final Set<ProcessHandle> launched = ConcurrentHashMap.newKeySet();
    /** Every incarnation that may still run or read its pipe, for a close that waits for all of them (any thread). */
    private final Set<ReplicaProcess> incarnations = ConcurrentHashMap.newKeySet();
    final Counters counters;
    /** Request and reply bodies that went through replicas' shared files, counted by their reader and writer threads. */
    final LongAdder sharedBodies = new LongAdder();
    private final RecentReplies recentReplies = new RecentReplies();
    private final Injections injections = new Injections(this);
    /** Every process this loop started and has not yet seen die: the self-check kills the ones no slot owns. */
    final List<ReplicaProcess> processes = new ArrayList<>();
    final long requestTimeoutNanos;

    long firstUnanswered = 1;
    /** Slots in {@link SlotState#DORMANT}, kept by {@link #setState}: {@link #expectedVoters} runs on every reply. */
    private int dormantSlots;
    private FailStopException failed;
    /** Some replica has answered requests since the group started (a start failure then is no longer fatal). */
    private boolean anyActive;
    /** The warning that checkpoints are deferred was logged. */
    private boolean deferralTold;
    /** Why the group cannot start (a replica that cannot even instantiate its service), or null. */
    private volatile String startFailure;
    /** The replica {@link #startFailure} names (its log says why), written before it. */
    private volatile int startFailureReplica = -1;
    private volatile boolean running = true;
    /** Set once the loop has stopped and drained its inbox: whatever is posted later is rejected by the poster. */
    private volatile boolean terminated;

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
        var sup = config.supervision();
        long now = nanos.getAsLong();
        this.checkpoints = new CheckpointTracker(this, quorum, config.checkpointEvery(), config.deadline().toNanos() * 4,
                config.maxSnapshotBytes(), initial, nanos);
        this.log.startAfter(initial.sequence());
        this.firstUnanswered = initial.sequence() + 1;
        this.requestTimeoutNanos = config.startTimeout().plus(config.deadline().multipliedBy(2)).toNanos();
        CoreSelector cores = config.pin() ? new CoreSelector(usableCores(sup.cpus())) : null;
        if (!config.pin() && !sup.cpus().isEmpty()) {
            // Documented, but a user who lists cores means to use them: say once that they are not.
            LOG.warn("group {}: cpus {} is not used: replicas are pinned only with pin: true", config.name(), sup.cpus());
        }
        this.reputation = new ReputationBook(slots.length, config.versions().stream().map(ReplicaSpec::label).toList(),
                cores == null ? List.of() : cores.usable(), sup.reputationHalfLife(), sup.voteCredit(), sup.coreSuspectBelow());
        this.intensity = new RestartIntensity(slots.length, config.maxRestarts(), sup.versionMaxRestarts(),
                config.restartWindow().toNanos(), sup.maxBackoff().toNanos(), sup.quarantine().toNanos());
        this.placement = new Placement(this, cores);
        this.escalation = new Escalation(this, intensity);
        this.supervisor = new Supervisor(this, new RejuvenationSchedule(sup.rejuvenationPeriod(), now),
                new RedundancyPolicy(sup.adaptive(), sup.adaptiveQuiet().toNanos()), now);
        List<String> names = new ArrayList<>(List.of("requests", "replies", "service-errors", "recoveries", "checkpoints", "checkpoints-too-large",
                "checkpoints-deferred",
                "rollbacks", "unavailable", "rejuvenations", "quarantines", "suspect-cores", "self-repairs", "escalations", "poison-requests",
                "catch-up-starved", "replays-unvouched", "shared-bodies"));
        for (FaultKind k : FaultKind.values()) {
            names.add("faults." + k.label());
        }
        this.counters = new Counters(names);
    }

    /** The cores replicas may be pinned to: {@code configured}, or every allowed one when empty. */
    static List<Integer> usableCores(List<Integer> configured) {
        List<Integer> allowed = CpuPinning.allowed();
        if (configured.isEmpty()) {
            return allowed;
        }
        for (int c : configured) {
            if (!allowed.contains(c)) {
                throw new io.resh.core.ConfigException("cpus", "core " + c + " does not exist here: this process may run on "
                        + allowed.size() + " (" + allowed.stream().map(String::valueOf).collect(java.util.stream.Collectors.joining(", "))
                        + ")");
            }
        }
        return configured;
    }

    // ---- entry points for other threads ------------------------------------------------------------

    void post(Object message) {
        inbox.add(message);
        if (terminated) {
            rejectQueued();
        }
    }

    void addListener(Consumer<GroupEvent> listener) {
        listeners.add(listener);
    }

    void removeListener(Consumer<GroupEvent> listener) {
        listeners.remove(listener);
    }

    synchronized void addReplyListener(ReplyListener listener) {
        ReplyListener[] now = Arrays.copyOf(replyListeners, replyListeners.length + 1);
        now[now.length - 1] = listener;
        replyListeners = now;
    }

    synchronized void removeReplyListener(ReplyListener listener) {
        ReplyListener[] now = replyListeners;
        for (int i = 0; i < now.length; i++) {
            if (now[i] == listener) {
                ReplyListener[] fewer = new ReplyListener[now.length - 1];
                System.arraycopy(now, 0, fewer, 0, i);
                System.arraycopy(now, i + 1, fewer, i, now.length - i - 1);
                replyListeners = fewer;
                return;
            }
        }
    }

    /** Replica processes launched by this loop that may still be alive (the shutdown hook's kill list). */
    List<ProcessHandle> launchedProcesses() {
        return List.copyOf(launched);
    }

    boolean terminated() {
        return terminated;
    }

    /**
     * Waits, after the loop has stopped, until every replica incarnation it launched is gone: its process
     * tree exited and its reader thread ended, so nothing writes into the work directory any more.
     *
     * @return the incarnations still there at the deadline, as {@code replica N (pid P)}; empty when all are gone
     */
    List<String> awaitIncarnationsGone(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> left = new ArrayList<>();
        for (ReplicaProcess p : incarnations) {
            boolean gone;
            try {
                gone = p.awaitGone(deadline);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                gone = p.gone();
            }
            if (!gone) {
                left.add("replica " + p.slot + " (pid " + p.pid() + ")");
            }
        }
        return left;
    }

    /**
     * What went wrong in the group's life, e.g. {@code 2 faults seen (crash 1, hang 1)}, or null if nothing
     * did: faults of any kind, DMR rollbacks, repairs of the supervisor's own bookkeeping, a fail-stop.
     * Reads the loop's state: call it on the loop thread or once the loop thread has ended.
     */
    String faultSummary() {
        List<String> seen = new ArrayList<>();
        long faults = 0;
        List<String> kinds = new ArrayList<>();
        for (FaultKind k : FaultKind.values()) {
            long n = counters.get("faults." + k.label());
            if (n > 0) {
                faults += n;
                kinds.add(k.label() + " " + n);
            }
        }
        if (faults > 0) {
            seen.add(faults + (faults == 1 ? " fault seen (" : " faults seen (") + String.join(", ", kinds) + ")");
        }
        long rollbacks = counters.get("rollbacks");
        if (rollbacks > 0) {
            seen.add(rollbacks + (rollbacks == 1 ? " rollback" : " rollbacks"));
        }
        long poisoned = counters.get("poison-requests");
        if (poisoned > 0) {
            seen.add(poisoned + (poisoned == 1 ? " request of death skipped" : " requests of death skipped"));
        }
        long repairs = counters.get("self-repairs");
        if (repairs > 0) {
            seen.add(repairs + (repairs == 1 ? " self-repair" : " self-repairs"));
        }
        if (failed != null) {
            seen.add("failed stop: " + failed.getMessage());
        }
        return seen.isEmpty() ? null : String.join("; ", seen);
    }

    void stop() {
        running = false;
        inbox.add(new Task(() -> { }));
    }

    Quorum quorum() {
        return quorum;
    }

    long now() {
        return nanos.getAsLong();
    }

    long millis() {
        return clock.millis();
    }

    boolean serving() {
        return running && failed == null;
    }

    // ---- the loop ----------------------------------------------------------------------------------

    @Override
    public void run() {
        // Its class initialization looks chrt, nice and renice up on the PATH and reads /proc: done here, before
        // the group serves, rather than on the loop while it handles its first fault.
        CatchUpPriority.available();
        for (Slot s : slots) {
            if (supervisor.dormantAtStart(s)) {
                setState(s, SlotState.DORMANT);
            } else {
                launch(s);
            }
        }
        long lastTimers = nanos.getAsLong();
        try {
            while (running) {
                Object m = spinNanos > 0 ? spinPoll() : null;
                if (m == null) {
                    m = inbox.poll(TIMER_PERIOD_NANOS, TimeUnit.NANOSECONDS);
                }
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
                    forgiveStall(now - lastTimers - TIMER_PERIOD_NANOS);
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

    /** Polls without parking for up to {@link #spinNanos}: a message arriving meanwhile costs no wake-up. */
    private Object spinPoll() {
        long until = nanos.getAsLong() + spinNanos;
        do {
            Object m = inbox.poll();
            if (m != null) {
                return m;
            }
            Thread.onSpinWait();
        } while (nanos.getAsLong() - until < 0);
        return null;
    }

    private void handle(Object m) {
        // Read once per message, not per request or reply: on a virtual machine a clock read is a good part of
        // what the loop spends on a request (a quarter of its CPU at 1M requests/s, perf), and every use here
        // (progress and deadlines in milliseconds, a request's submission time) can take the message's time.
        messageNanos = nanos.getAsLong();
        if (m instanceof Submit s) {
            onSubmit(s, clock.millis());
        } else if (m instanceof SubmitBatch b) {
            long millis = clock.millis();
            for (Submit s : b.submits()) {
                onSubmit(s, millis);
            }
        } else if (m instanceof ReplicaProcess.Inbound in) {
            for (Frame f : in.frames()) {
                // Looked up per frame: one of them may get the process replaced, and then the rest are stale.
                Slot slot = current(in.source());
                if (slot != null) {
                    slot.lastHeardNanos = messageNanos;
                    onFrame(slot, f);
                }
            }
        } else if (m instanceof ReplicaProcess.HashedSnapshot h) {
            Slot slot = current(h.source());
            if (slot != null) {
                slot.lastHeardNanos = nanos.getAsLong();
                checkpoints.onSnapshot(slot, h.snapshot(), h.digest(), nanos.getAsLong());
            }
        } else if (m instanceof ReplicaProcess.Started st) {
            Slot slot = current(st.source());
            if (slot != null) {
                started(slot, st.pid());
            }
        } else if (m instanceof ReplicaProcess.StartFailed f) {
            processes.remove(f.source());
            Slot slot = current(f.source());
            if (slot != null) {
                startFailed(slot, f.reason());
            }
        } else if (m instanceof ReplicaProcess.Broken b) {
            processes.remove(b.source());
            Slot slot = current(b.source());
            if (slot != null) {
                if (b.kind() == FaultKind.START_FAILURE && !anyActive && startFailure == null) {
                    // A configuration error, the same at every restart: the starting group gives up at once
                    // instead of retrying until startTimeout (ReplicaGroup.start reads this).
                    startFailureReplica = slot.index;
                    startFailure = "replica " + slot.index + " (" + slot.spec.label() + "): " + b.evidence();
                }
                if (b.kind() == FaultKind.CRASH && !b.source().killedByHost()) {
                    int status = b.source().exitStatus();
                    String evidence = b.evidence();
                    // Exited on its own: the JVM's status for an uncaught throwable (an OutOfMemoryError, a
                    // snapshot that threw) or the service's System.exit. "code 1" alone sent every user to the log.
                    String said = status > 0 && status < 128 ? ReplicaGroup.reasonAtEndOfLog(launcher.logFile(slot.index)) : null;
                    if (said != null) {
                        evidence += "; its log says: " + said;
                    }
                    poison.crashed(slot, evidence, b.evidence(), Signals.endedByOutsideSignal(status));
                } else {
                    processFault(slot, b.kind(), b.evidence());
                }
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

    private void onSubmit(Submit s, long millis) {
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
        long time = s.ordered() ? s.timeMillis() : millis;
        long seed = s.ordered() ? s.seed() : seeds.nextLong();
        log.append(new LogEntry(seq, time, seed, s.payload(), new Ballot(quorum), s.reply(), messageNanos));
        counters.increment(Counters.REQUESTS);
    }

    /** Sends every slot that takes requests whatever it has not been sent yet, one batch per slot. */
    private void dispatch() {
        long last = log.lastSequence();
        for (Slot slot : slots) {
            if (slot.receivesRequests() && slot.cursor <= last) {
                if (!slot.outstanding()) {
                    slot.progressNanos = nanos.getAsLong();
                }
                // A replica catching up gets the log tail a window at a time: the whole tail at once would hold
                // the loop (and every client request behind it) for milliseconds, and the newcomer's replies to
                // it would arrive as one burst the loop must get through before the next client request.
                long until = slot.state == SlotState.CATCHING_UP ? catchUpUntil(slot, last) : last;
                while (slot.cursor <= until) {
                    LogEntry e = log.get(slot.cursor);
                    if (e == null) {
                        break; // corrupted bookkeeping; the self-check repairs the log or the slot
                    }
                    if (e.skipped) {
                        if (!passOver(slot, e)) {
                            break;
                        }
                        continue;
                    }
                    slot.outbox.add(e.request());
                    if (checkpoints.due(e.sequence)) {
                        slot.outbox.add(new Frame.Checkpoint(e.sequence));
                    }
                    slot.cursor++;
                }
            }
            if (!slot.outbox.isEmpty()) {
                if (slot.process != null && slot.hasProcess()) {
                    int sent = slot.outbox.size();
                    slot.process.send(slot.outbox); // handed over, not copied: the slot starts a new one
                    // sized for a batch like this one: grown from the default ten, a batch of a few hundred
                    // frames copied its array six times over
                    slot.outbox = new ArrayList<>(Math.max(10, sent));
                } else {
                    slot.outbox.clear();
                }
            }
        }
    }

    /**
     * How far a catching-up replica is sent the log: a window beyond what it answered, and nothing past a
     * suspected request of death — the suspect alone, once it answered everything before it — so that if it
     * dies or hangs now, it did so executing that request (see {@link PoisonWatch}); a replay that is merely
     * slow is not taken for a hang in the suspect. A slot that already died of it that way is not sent it
     * again while the others decide.
     */
    private long catchUpUntil(Slot slot, long last) {
        long until = Math.min(last, slot.repliedThrough + REPLAY_WINDOW);
        long suspect = poison.suspect();
        if (suspect > 0) {
            boolean alone = slot.repliedThrough >= suspect - 1 && !poison.diedOf(slot.index);
            until = Math.min(until, alone ? suspect : suspect - 1);
        }
        return until;
    }

    /**
     * A skipped request of death is never sent: the replica's next request simply has a later number. Replies
     * must come in order, so its number is passed over only once the replica has answered everything before
     * it; until then the slot is sent nothing more. False if it must wait.
     */
    private boolean passOver(Slot slot, LogEntry e) {
        if (slot.repliedThrough != slot.cursor - 1) {
            return false;
        }
        if (checkpoints.due(e.sequence)) {
            slot.outbox.add(new Frame.Checkpoint(e.sequence));
        }
        slot.cursor++;
        slot.repliedThrough = e.sequence;
        maybeCaughtUp(slot);
        return true;
    }

    private void onFrame(Slot slot, Frame frame) {
        if (frame instanceof Frame.Reply r) {
            onReply(slot, r);
        } else if (frame instanceof Frame.Heartbeat) {
            return;
        } else if (frame instanceof Frame.StateDigest d) {
            checkpoints.onDigest(slot, d.sequence(), Digest.wrap(d.digest()), d.snapshotBytes(), nanos.getAsLong());
        } else if (frame instanceof Frame.Snapshot s) {
            checkpoints.onSnapshot(slot, s, Digest.of(s.snapshot()), nanos.getAsLong()); // not from a reader thread
        } else if (frame instanceof Frame.Hello h) {
            onHello(slot, h);
        } else if (frame instanceof Frame.Restored r) {
            if (!r.ok()) {
                fault(slot, FaultKind.START_FAILURE, r.sequence(), "restore of checkpoint #" + r.sequence() + " failed: " + r.detail());
            } else if (slot.restorePending) {
                slot.restorePending = false;
                maybeCaughtUp(slot);
            }
        } else if (frame instanceof Frame.ContractViolation v) {
            violation(slot, v);
        } else if (frame instanceof Frame.Injected i) {
            injections.injected(slot, i);
        } else {
            processFault(slot, FaultKind.PROTOCOL,
                    "a replica must not send " + frame.getClass().getSimpleName() + " frames");
        }
    }

    private void onHello(Slot slot, Frame.Hello h) {
        if (slot.state != SlotState.STARTING) {
            processFault(slot, FaultKind.PROTOCOL, "second hello from a running replica");
            return;
        }
        if (h.protocol() != FrameCodec.VERSION) {
            fault(slot, FaultKind.START_FAILURE, 0, "replica speaks IPC protocol " + h.protocol() + ", host speaks " + FrameCodec.VERSION);
            return;
        }
        slot.replayMismatchWarned = false;
        Checkpoint stable = checkpoints.stable();
        if (!stable.initial()) {
            slot.outbox.add(new Frame.Restore(stable.sequence(), stable.digest().bytes(), stable.snapshot()));
            slot.restoredFrom = stable.sequence();
            // Requests are sent meanwhile, but the slot rejoins only once RESTORED says the state is there: with no
            // log to replay it was counted as recovered, and its restart back-off reset, before a failed restore.
            slot.restorePending = true;
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
        slot.progressNanos = messageNanos;
        LogEntry e = log.get(seq);
        if (e != null) {
            // Replies come in order, once per incarnation: a vote already there is a previous incarnation's,
            // left by withdrawVotes on an answered request. This reply replaces it.
            e.ballot.withdraw(slot.index);
            Ballot.Outcome outcome = e.ballot.cast(slot.index, r.body(), expectedVoters());
            switch (outcome) {
                case DECIDED -> {
                    release(e);
                    byte[] decided = e.ballot.decided();
                    boolean dissent = false;
                    for (Slot s : slots) { // on the hot path: no allocation unless someone dissents
                        byte[] cast = e.ballot.replyOf(s.index);
                        if (cast == null) {
                            continue;
                        }
                        if (cast == decided || Arrays.equals(cast, decided)) {
                            reputation.vote(s.index, s.spec.label(), s.cpu);
                        } else {
                            dissent = true;
                        }
                    }
                    if (dissent) {
                        for (int d : e.ballot.dissenters()) {
                            divergence(slots[d], e);
                        }
                    }
                }
                case AGREES -> reputation.vote(slot.index, slot.spec.label(), slot.cpu);
                case DISSENTS -> {
                    if (e.ballot.decidedByOthersThan(slot.index)) {
                        divergence(slot, e);
                    } else {
                        unvouchedReplay(slot, e);
                    }
                }
                case UNDECIDABLE -> undecidable(e);
                default -> { }
            }
        }
        if (slot.state == SlotState.CATCHING_UP) {
            maybeCaughtUp(slot);
        }
    }

    /** Replicas expected to vote: every slot but a dormant one. */
    @Override
    public int expectedVoters() {
        return slots.length - dormantSlots;
    }

    void release(LogEntry e) {
        if (e.answered) {
            return;
        }
        e.answered = true;
        recentReplies.answered(e.sequence);
        byte[] body = e.ballot.decided();
        boolean ok = body[0] == FrameCodec.STATUS_OK;
        ReplyListener[] observers = replyListeners;
        if (observers.length > 0) {
            long latency = nanos.getAsLong() - e.submittedNanos;
            for (ReplyListener l : observers) {
                try {
                    l.onReply(e.sequence, latency, ok);
                } catch (RuntimeException ex) {
                    // It would throw again on every reply and flood the log: one warning, then it is gone.
                    removeReplyListener(l);
                    LOG.warn("group {}: reply listener {} failed and was removed: {}", config.name(), l, ex.toString());
                }
            }
        }
        CompletableFuture<byte[]> reply = e.reply;
        e.reply = null;
        if (ok) {
            byte[] payload = recentReplies.takePayload(e.sequence, body); // a large reply's, copied by its reader
            reply.complete(payload != null ? payload : Arrays.copyOfRange(body, 1, body.length));
            counters.increment(Counters.REPLIES);
        } else {
            reply.completeExceptionally(new ServiceErrorException(e.sequence,
                    new String(body, 1, body.length - 1, StandardCharsets.UTF_8)));
            count("service-errors");
        }
    }

    private void divergence(Slot slot, LogEntry e) {
        byte[] voted = e.ballot.decided();
        byte[] actual = e.ballot.replyOf(slot.index);
        slot.replyDisagreed = true;
        String description = "reply to #" + e.sequence + " differs: " + Evidence.replyDiff("voted", voted, "replica", actual);
        // A replacement that restored the voted snapshot and had nothing to replay is active at once: its first
        // answer after the checkpoint counts as much as a replayed one when its successor diverges there too.
        if (slot.state == SlotState.CATCHING_UP || slot.restoredFrom >= 0) {
            description += replayedAgain(slot, e.sequence);
        }
        fault(slot, FaultKind.DIVERGENCE, e.sequence, description, Evidence.replyDetails("voted", voted, "replica", actual));
    }

    /**
     * A replacement that diverges while replaying, where its previous process diverged too, is no random fault:
     * processes that start from the stable checkpoint answer that request otherwise than those that ran on. A
     * snapshot that leaves out state the replies read does exactly that, and the checkpoint vote cannot see it
     * (every replica leaves out the same). Without this hint the slot was replaced, blamed and backed off forever.
     */
    private String replayedAgain(Slot slot, long seq) {
        boolean again = slot.replayDivergedAt == seq;
        slot.replayDivergedAt = seq;
        if (!again) {
            return "";
        }
        long from = slot.replayFrom - 1;
        if (from == 0) {
            return "; its previous process diverged at #" + seq + " too, both replaying from the start: a process that"
                    + " replays the log answers otherwise than those that ran it, which usually means a nondeterministic"
                    + " service";
        }
        return "; its previous process diverged at #" + seq + " too, both replaying from checkpoint #" + from
                + ": replicas that restore the voted snapshot answer otherwise than those that ran on, which usually"
                + " means that snapshot/restore leave out state the replies depend on, or a nondeterministic service";
    }

    /**
     * A replacement's replayed reply differs from a released one that only its own predecessor voted for (N = 1).
     * Nothing says which of the two processes was wrong, and the replacement restored a voted checkpoint: judging
     * it against the dead one's reply would replace every replacement at the same request, forever (a corrupted
     * reply or a nondeterministic bug of the only replica stalled the group for good). Its client got the old reply.
     */
    private void unvouchedReplay(Slot slot, LogEntry e) {
        count("replays-unvouched");
        slot.replyDisagreed = true;
        if (!slot.replayMismatchWarned) {
            slot.replayMismatchWarned = true; // once per incarnation: a corrupted state may differ on every request
            LOG.warn("group {}: replica {} replayed #{} to another reply than the one released, which only its previous"
                    + " process voted for ({}); with no other replica to tell which was right, it rejoins",
                    config.name(), slot.index, e.sequence, Evidence.replyDiff("voted", e.ballot.decided(), "replica", e.ballot.replyOf(slot.index)));
        }
    }

    private void undecidable(LogEntry e) {
        String evidence = "replies to #" + e.sequence + " differ";
        if (supervisor.wakeSpare(evidence)) {
            return;
        }
        if (quorum.detectOnly()) {
            byte[] first = e.ballot.replyOf(0);
            byte[] second = e.ballot.replyOf(1);
            int mismatches = ++e.mismatches;
            String diff = evidence + ": " + Evidence.replyDiff("replica 0", first, "replica 1", second);
            if (mismatches >= 2 && slots[0].spec.label().equals(slots[1].spec.label())) {
                // Re-executed from the same checkpoint, one version disagrees with itself again: no transient
                // fault does that twice, a service that breaks the determinism rules does every time.
                diff += ": the same version answering differently twice from the same state usually means a"
                        + " nondeterministic service, one that reads the clock, unseeded randomness or hash order instead"
                        + " of its ExecutionContext";
            }
            dmrMismatch(e.sequence, mismatches, diff, Evidence.replyDetails("replica0", first, "replica1", second));
        } else {
            failStop(e.sequence, "no reply to #" + e.sequence + " reached " + quorum.agreementNeeded()
                    + " equal votes among " + expectedVoters() + " replicas (more than f=" + quorum.faultsMasked() + " faulty)"
                    + disagreement(e.ballot));
        }
    }

    /**
     * How the replies to an undecidable request differ. Faults in several replicas at once rarely strike one
     * request; every replica answering differently is the mark of a service that reads the clock, unseeded
     * randomness or hash order, and the user must be told so rather than left to suspect the hardware.
     */
    private String disagreement(Ballot ballot) {
        List<Integer> voters = new ArrayList<>();
        for (int i = 0; i < slots.length; i++) {
            if (ballot.hasCast(i)) {
                voters.add(i);
            }
        }
        if (voters.size() < 2) {
            return "";
        }
        int a = voters.get(0);
        int b = voters.get(1);
        String example = Evidence.replyDiff("replica " + a, ballot.replyOf(a), "replica " + b, ballot.replyOf(b));
        long distinct = voters.stream().map(i -> ByteBuffer.wrap(ballot.replyOf(i))).distinct().count();
        if (distinct < voters.size()) {
            return "; replies differ, e.g. " + example;
        }
        List<String> injected = new ArrayList<>();
        for (int i : voters) {
            if (slots[i].injected != null) {
                injected.add("replica " + i + " (" + String.join(", ", slots[i].injected) + ")");
            }
        }
        if (!injected.isEmpty()) {
            // Faults injected into more than f replicas are what a campaign or an operator meant to see masked or
            // stopped; the service is not to blame.
            return "; all " + voters.size() + " replies differ (" + example + "): faults were injected into "
                    + String.join(" and ", injected);
        }
        return "; all " + voters.size() + " replies differ (" + example + "): every replica answering differently"
                + " usually means a nondeterministic service, one that reads the clock, unseeded randomness or hash"
                + " order instead of its ExecutionContext";
    }

    @Override
    public void digestsUndecidable(long seq, int mismatches, String evidence, Map<String, String> details) {
        if (supervisor.wakeSpare(evidence)) {
            return;
        }
        if (quorum.detectOnly()) {
            dmrMismatch(seq, mismatches, evidence, details);
        } else {
            failStop(seq, "no state digest at checkpoint #" + seq + " reached " + quorum.agreementNeeded() + " equal votes ("
                    + evidence + ")");
        }
    }

    /** DMR: the first mismatch rolls both replicas back to the stable checkpoint; the second fails stop. */
    private void dmrMismatch(long seq, int mismatches, String evidence, Map<String, String> details) {
        long at = checkpoints.stable().sequence();
        if (mismatches >= 2) {
            failStop(seq, "the two replicas disagreed again after rolling back to checkpoint #" + at + " (" + evidence + ")");
            return;
        }
        count("rollbacks");
        emit(new GroupEvent.RolledBack(clock.millis(), config.name(), at, seq, evidence, details));
        LOG.warn("group {}: DMR mismatch at #{}; rolling back to checkpoint #{} and re-executing ({})",
                config.name(), seq, at, evidence);
        for (Slot s : slots) {
            restart(s, "rollback to checkpoint #" + at, seq, Cause.ROLLBACK);
        }
    }

    private void maybeCaughtUp(Slot slot) {
        if (slot.state == SlotState.CATCHING_UP && !slot.restorePending && slot.repliedThrough >= slot.catchUpTarget) {
            setState(slot, SlotState.ACTIVE);
            if (slot.lowPriority) {
                // Still at low priority while its JIT compiles the request path: the serving majority masks
                // a slow newcomer, and its compilers at normal priority would hold cores the others need.
                slot.warmUntilNanos = nanos.getAsLong() + CatchUpPriority.warmUpNanos();
            }
            if (slot.recoveryStartNanos >= 0) {
                long ms = TimeUnit.NANOSECONDS.toMillis(nanos.getAsLong() - slot.recoveryStartNanos);
                long replayed = Math.max(0, slot.catchUpTarget - slot.replayFrom + 1);
                slot.recoveryStartNanos = -1;
                intensity.recovered(slot.index);
                if (slot.rejuvenating) {
                    slot.rejuvenating = false;
                    count("rejuvenations");
                    emit(new GroupEvent.Rejuvenated(clock.millis(), config.name(), slot.index, slot.cpu,
                            slot.repliedThrough, ms));
                    LOG.info("group {}: replica {} rejuvenated in {} ms (replayed {} request{})", config.name(),
                            slot.index, ms, replayed, replayed == 1 ? "" : "s");
                    return;
                }
                count("recoveries");
                emit(new GroupEvent.RecoveryCompleted(clock.millis(), config.name(), slot.index, slot.cpu,
                        slot.repliedThrough, ms, replayed));
                LOG.info("group {}: replica {} recovered in {} ms (replayed {} request{})", config.name(), slot.index,
                        ms, replayed, replayed == 1 ? "" : "s");
            }
        }
    }

    // ---- checkpoints (tallied by CheckpointTracker) -------------------------------------------------

    @Override
    public Slot[] slots() {
        return slots;
    }

    @Override
    public void snapshotTooLarge(long seq, long snapshotBytes, long maxSnapshotBytes) {
        count("checkpoints-too-large");
        LOG.warn("group {}: checkpoint #{} skipped: the service's snapshot is {} bytes, over limits.maxSnapshotBytes ({});"
                + " the request log grows until a checkpoint fits: raise the limit", config.name(), seq, snapshotBytes,
                maxSnapshotBytes);
    }

    @Override
    public void checkpointDeferred(long seq, long making) {
        count("checkpoints-deferred");
        if (!deferralTold) {
            deferralTold = true; // every deferral is counted; once told, the cause is known
            LOG.warn("group {}: checkpoint #{} deferred: checkpoint #{} is still being made, its snapshot taking longer"
                    + " than checkpoint.every ({} requests) here; each checkpoint now waits for the one before (counter"
                    + " checkpoints-deferred, not logged again): raise checkpoint.every or make the snapshot cheaper",
                    config.name(), seq, making, config.checkpointEvery());
        }
    }

    @Override
    public void stabilized(Checkpoint stable) {
        truncateLog();
        count("checkpoints");
        emit(new GroupEvent.CheckpointStable(clock.millis(), config.name(), stable.sequence(), stable.digest(),
                stable.snapshot().length));
        if (checkpoints.owesDeferred()) {
            checkpoints.requestAt(log.lastSequence());
        }
    }

    /**
     * Drops the log up to the stable checkpoint, but keeps what a serving replica has not answered yet:
     * its late reply must still be voted, or a wrong answer from a slow replica would go unnoticed. Run
     * when a checkpoint becomes stable and on every timer tick, so that what a laggard kept goes once it
     * caught up, not only at the next checkpoint (which an idle group never reaches).
     */
    private void truncateLog() {
        long keepFrom = checkpoints.stable().sequence();
        for (Slot s : slots) {
            if (s.receivesRequests()) {
                keepFrom = Math.min(keepFrom, s.repliedThrough);
            }
        }
        log.truncateThrough(keepFrom);
    }

    /** Admin action: checkpoint now, at the last assigned sequence number. */
    long checkpointNow() {
        dispatch();
        long seq = log.lastSequence();
        return checkpoints.requestAt(seq) ? seq : -1;
    }

    // ---- faults and recovery -----------------------------------------------------------------------

    void fault(Slot slot, FaultKind kind, long seq, String evidence) {
        fault(slot, kind, seq, evidence, Map.of());
    }

    @Override
    public void fault(Slot slot, FaultKind kind, long seq, String evidence, Map<String, String> details) {
        fault(slot, kind, seq, evidence, details, Cause.FAULT);
    }

    void fault(Slot slot, FaultKind kind, long seq, String evidence, Map<String, String> details, Cause cause) {
        fault(slot, kind, seq, false, evidence, details, cause);
    }

    /**
     * A fault of the replica as a whole (its process exited, froze or broke the protocol), not of one reply:
     * it is about the oldest request the replica was sent and has not answered. When it held none (an idle
     * group, or a replica still starting), it is reported as idle after the last request it answered, since
     * the next sequence number would name a request that does not exist yet.
     */
    void processFault(Slot slot, FaultKind kind, String evidence) {
        if (slot.outstanding()) {
            fault(slot, kind, slot.repliedThrough + 1, evidence);
        } else {
            fault(slot, kind, slot.repliedThrough, true, evidence, Map.of(), Cause.FAULT);
        }
    }

    /** @param idle the replica held no request: {@code seq} is the last one it answered (see {@link #processFault}) */
    private void fault(Slot slot, FaultKind kind, long seq, boolean idle, String evidence, Map<String, String> details,
                       Cause cause) {
        if (!slot.hasProcess() || failed != null) {
            return;
        }
        long now = nanos.getAsLong();
        GroupEvent.FaultDetected event = new GroupEvent.FaultDetected(clock.millis(), config.name(), slot.index, slot.cpu,
                seq, kind, evidence, details, idle);
        slot.faults++;
        slot.lastFault = kind.label() + " " + event.at() + ": " + evidence;
        count("faults." + kind.label());
        LOG.warn("group {}: replica {} (pid {}{}): {} {}: {}", config.name(), slot.index, slot.pid(),
                slot.cpu >= 0 ? ", core " + slot.cpu : "", kind.label(), event.at(), evidence); // core -1: not pinned
        emit(event);
        supervisor.redundancy().fault(now);
        int cpu = slot.cpu;
        boolean suspect = reputation.fault(slot.index, slot.spec.label(), cpu, kind, now);
        restart(slot, kind.label(), seq, cause);
        if (suspect) {
            coreSuspected(cpu, now);
        }
    }

    /** A write the sandbox refused: evidence against the replica and its version; the reply is voted as usual. */
    private void violation(Slot slot, Frame.ContractViolation v) {
        long now = nanos.getAsLong();
        String evidence = v.operation() + " " + v.path() + ": " + v.detail() + " (while executing #" + v.sequence() + ")";
        slot.faults++;
        slot.lastFault = FaultKind.CONTRACT_VIOLATION.label() + " at #" + v.sequence() + ": " + evidence;
        count("faults." + FaultKind.CONTRACT_VIOLATION.label());
        reputation.fault(slot.index, slot.spec.label(), slot.cpu, FaultKind.CONTRACT_VIOLATION, now);
        LOG.warn("group {}: replica {} (pid {}) violated its contract: {}", config.name(), slot.index, slot.pid(), evidence);
        emit(new GroupEvent.FaultDetected(clock.millis(), config.name(), slot.index, slot.cpu, v.sequence(),
                FaultKind.CONTRACT_VIOLATION, evidence));
    }

    private void coreSuspected(int cpu, long now) {
        count("suspect-cores");
        String evidence = reputation.evidence(cpu, now);
        LOG.warn("group {}: core {} is suspect: {}", config.name(), cpu, evidence);
        emit(new GroupEvent.CoreSuspected(clock.millis(), config.name(), cpu, reputation.core(cpu).score(now),
                reputation.core(cpu).faults(), evidence));
        placement.rebalance("core " + cpu + " is suspect");
    }

    /**
     * Forgets the votes the slot's current process cast where they could still count: on the requests not
     * answered yet. It is being replaced or put to sleep. Its votes on answered requests decide nothing
     * more and are replaced when the next incarnation answers the same request ({@link #onReply}); walking
     * the whole log here would hold the loop for milliseconds with tens of thousands of entries.
     */
    void withdrawVotes(Slot slot, long now) {
        for (long s = Math.max(firstUnanswered, log.firstSequence()); s <= log.lastSequence(); s++) {
            LogEntry e = log.get(s);
            if (e != null) {
                // It executed this request and lived: whatever kills replicas, it is not this request.
                e.survived |= e.ballot.hasCast(slot.index);
                e.ballot.withdraw(slot.index);
            }
        }
        checkpoints.withdraw(slot, now);
        injections.replaced(slot);
    }

    /** Kills the slot's process and starts a fresh one that restores the stable checkpoint and replays. */
    void restart(Slot slot, String reason, long seq, Cause cause) {
        if (slot.process != null) {
            slot.process.kill();
            processes.remove(slot.process);
        }
        long now = nanos.getAsLong();
        withdrawVotes(slot, now);
        if (slot.recoveryStartNanos < 0) {
            slot.recoveryStartNanos = now;
        }
        slot.rejuvenating = cause == Cause.REJUVENATION;
        emit(new GroupEvent.RecoveryStarted(clock.millis(), config.name(), slot.index, slot.cpu, seq, reason));
        if (!cause.counts()) {
            launch(slot);
            return;
        }
        if (escalation.restarted(slot, now)) {
            launch(slot);
        }
    }

    void launch(Slot slot) {
        long now = nanos.getAsLong();
        ReplicaSpec spec = escalation.specFor(slot, now);
        if (spec == null) {
            // Every version is quarantined: wait for the release, not a moment longer.
            slot.backoffUntilNanos = escalation.retryAt(slot, now);
            slot.process = null;
            setState(slot, SlotState.BACKING_OFF);
            return;
        }
        slot.spec = spec;
        slot.incarnation++;
        int cpu = placement.chooseCpu(slot);
        if (cpu != slot.cpu) {
            slot.cpu = cpu;
            slot.cpuSinceNanos = now;
        }
        slot.outbox.clear();
        slot.cursor = checkpoints.stable().sequence() + 1;
        slot.repliedThrough = checkpoints.stable().sequence();
        slot.digestSequence = 0;
        slot.digest = "";
        slot.restoredFrom = -1;
        slot.restorePending = false;
        slot.replyDisagreed = false;
        slot.deadStrikes = 0;
        slot.lastHeardNanos = now;
        slot.progressNanos = now;
        // A replacement catches up at low priority while enough others serve (the first start does not:
        // nobody serves yet). Its priority is given back in maybeCaughtUp, or earlier if it starves.
        boolean lowPriority = slot.incarnation > 1 && CatchUpPriority.available()
                && serving(slot) >= quorum.agreementNeeded();
        slot.lowPriority = lowPriority;
        launched.removeIf(h -> !h.isAlive());
        incarnations.removeIf(ReplicaProcess::gone);
        int index = slot.index;
        int cpuOfStart = slot.cpu;
        // Started on the incarnation's own thread (see ReplicaProcess); Started or StartFailed comes back here.
        List<Path> shared = launcher.sharedBodiesDirs(index);
        slot.process = new ReplicaProcess(slot.index, slot.incarnation, slot.cpu, sharedBodies -> {
            Process p = launcher.start(index, spec, cpuOfStart, lowPriority, sharedBodies);
            launched.add(p.toHandle());
            return p;
        }, codec, this::post, config.name(), shared, ReplicaLauncher.SHARED_RING_BYTES, sharedBodies, recentReplies);
        processes.add(slot.process);
        incarnations.add(slot.process);
        setState(slot, SlotState.STARTING);
        // The start timeout is this incarnation's: after a start-failure the slot is still STARTING, and
        // setState keeps the time of a state it does not change, so the replacement would be failed at once.
        slot.stateSinceNanos = now;
    }

    /** Slots other than {@code slot} that are answering requests now, not at the catch-up priority. */
    private int servingAtNormalPriority(Slot slot) {
        int n = 0;
        for (Slot s : slots) {
            if (s != slot && s.state == SlotState.ACTIVE && !s.lowPriority) {
                n++;
            }
        }
        return n;
    }

    /** Slots other than {@code slot} that are answering requests now. */
    private int serving(Slot slot) {
        int n = 0;
        for (Slot s : slots) {
            if (s != slot && s.state == SlotState.ACTIVE) {
                n++;
            }
        }
        return n;
    }

    /**
     * A low-priority newcomer that does not even get to send heartbeats (or to answer what it was sent)
     * within half the time that would make it hung is starved by other work on the machine, not hung:
     * it gets the normal priority back at once, and the full timeouts still apply. One that caught up gets
     * it back when its warm-up ends, or as soon as the quorum needs it.
     */
    private void unstarve(Slot slot, long now) {
        if (!slot.lowPriority || slot.pid() < 0) {
            return;
        }
        if (slot.state == SlotState.ACTIVE && (now >= slot.warmUntilNanos
                || servingAtNormalPriority(slot) < quorum.agreementNeeded())) {
            // Warmed up, or needed for the quorum now that another replica is down (or warming up too).
            slot.lowPriority = false;
            CatchUpPriority.restore(slot.pid());
            return;
        }
        long silent = now - (slot.state == SlotState.STARTING ? slot.stateSinceNanos : slot.lastHeardNanos);
        boolean stalled = slot.outstanding() && now - slot.progressNanos > config.deadline().toNanos() / 2;
        if (silent > config.heartbeatTimeout().toNanos() / 2 || (slot.state != SlotState.STARTING && stalled)) {
            LOG.info("group {}: replica {} (pid {}) makes no progress at its catch-up priority after {} ms; normal"
                    + " priority restored", config.name(), slot.index, slot.pid(), TimeUnit.NANOSECONDS.toMillis(silent));
            count("catch-up-starved");
            slot.lowPriority = false;
            CatchUpPriority.restore(slot.pid());
        }
    }

    /** The slot's new process runs. */
    private void started(Slot slot, long pid) {
        emit(new GroupEvent.ReplicaStarted(clock.millis(), config.name(), slot.index, slot.cpu, pid, slot.incarnation,
                slot.spec.label()));
        placement.rebalance("rotation after replica " + slot.index + " restarted");
    }

    /** The slot's new process could not be started. */
    private void startFailed(Slot slot, String reason) {
        long now = nanos.getAsLong();
        slot.process = null;
        slot.faults++;
        slot.lastFault = "start-failure: " + reason;
        count("faults." + FaultKind.START_FAILURE.label());
        reputation.fault(slot.index, slot.spec.label(), slot.cpu, FaultKind.START_FAILURE, now);
        emit(new GroupEvent.FaultDetected(clock.millis(), config.name(), slot.index, slot.cpu, 0,
                FaultKind.START_FAILURE, "cannot start replica process: " + reason));
        escalation.startFailed(slot, reason);
    }

    /**
     * A replica whose bytes are still arriving, or being hashed, is not silent. A frame reaches the loop only whole
     * (a snapshot also hashed), and its heartbeats wait behind it: a replica sending a large snapshot was taken for
     * hung when the transfer, or the hash, outlasted the heartbeat timeout. Checked every timer period, so a replica that froze is heard at most that much later
     * than its last byte.
     */
    private void heardWhileItsFrameIsHandled(Slot slot, long now) {
        ReplicaProcess p = slot.process;
        if (p == null) {
            return;
        }
        long progress = p.progress();
        if (progress != slot.progressSeen) {
            slot.progressSeen = progress;
            slot.lastHeardNanos = Math.max(slot.lastHeardNanos, now);
        }
    }

    /**
     * The loop itself did not run for {@code stalledNanos} (its JVM stopped or paused, the machine
     * overloaded): what replicas sent meanwhile still waits in their pipes, unread, so their silence over
     * that time says nothing about them. Moves every replica's clocks forward by as much, so that no
     * healthy replica is blamed as hung for the host's own stall.
     */
    private void forgiveStall(long stalledNanos) {
        if (stalledNanos < STALL_NANOS) {
            return;
        }
        for (Slot slot : slots) {
            slot.lastHeardNanos += stalledNanos;
            slot.progressNanos += stalledNanos;
            slot.stateSinceNanos += stalledNanos;
        }
        if (stalledNanos > config.heartbeatTimeout().toNanos() / 2) { // long enough to have blamed a replica
            LOG.info("group {}: the group loop did not run for {} ms; replicas are not timed for that", config.name(),
                    TimeUnit.NANOSECONDS.toMillis(stalledNanos));
        }
    }

    private void checkTimers(long now) {
        for (Slot slot : slots) {
            if (slot.state == SlotState.STARTING || slot.state == SlotState.CATCHING_UP || slot.state == SlotState.ACTIVE) {
                heardWhileItsFrameIsHandled(slot, now);
                unstarve(slot, now);
            }
            switch (slot.state) {
                case STARTING -> {
                    if (now - slot.stateSinceNanos > config.startTimeout().toNanos()) {
                        fault(slot, FaultKind.START_FAILURE, 0, "no hello within startTimeout "
                                + io.resh.core.Durations.format(config.startTimeout()) + "; see " + launcher.logFile(slot.index));
                    }
                }
                case CATCHING_UP, ACTIVE -> {
                    if (slot.outstanding() && now - slot.progressNanos > config.deadline().toNanos()) {
                        String evidence = "no reply to #" + (slot.repliedThrough + 1) + " within the "
                                + config.deadline().toMillis() + " ms deadline";
                        if (slot.process != null && slot.process.stoppedByHost()) {
                            fault(slot, FaultKind.HANG, slot.repliedThrough + 1, evidence); // an injected SIGSTOP
                        } else {
                            poison.hung(slot, evidence); // maybe stuck in a request that hangs every replica
                        }
                    } else if (now - slot.lastHeardNanos > config.heartbeatTimeout().toNanos()) {
                        String evidence = "no heartbeat for " + TimeUnit.NANOSECONDS.toMillis(now - slot.lastHeardNanos) + " ms";
                        if (slot.outstanding() && (slot.process == null || !slot.process.stoppedByHost())) {
                            // The whole process froze while it held a request (every thread stopped: a request
                            // that stops its JVM, or thrashes its heap): maybe one that freezes every replica.
                            poison.hung(slot, evidence, "no heartbeat within " + Durations.format(config.heartbeatTimeout()));
                        } else {
                            processFault(slot, FaultKind.HANG, evidence); // froze while idle, or stopped by the host
                        }
                    }
                }
                case BACKING_OFF -> {
                    if (serving() && now >= slot.backoffUntilNanos) {
                        launch(slot);
                    }
                }
                default -> { }
            }
        }
        checkpoints.checkTimeout(now);
        poison.tick();
        truncateLog();
        expireUnanswered(now);
        if (serving()) {
            supervisor.tick(now);
        }
    }

    /** Requests nobody could answer in time (more than f replicas down for long) fail as unavailable. */
    private void expireUnanswered(long now) {
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
            e.reply.completeExceptionally(UnavailableException.outcomeUnknown("request #" + e.sequence + " got no "
                    + quorum.agreementNeeded() + " matching replies within "
                    + TimeUnit.NANOSECONDS.toSeconds(requestTimeoutNanos) + " s; it may or may not have taken effect"));
            firstUnanswered++;
        }
        if (firstUnanswered < log.firstSequence()) {
            firstUnanswered = log.firstSequence();
        }
    }

    /** Called by {@link SelfCheck} for every repair: log, count, event. */
    void repaired(String invariant, String found, String repair) {
        count("self-repairs");
        LOG.warn("group {}: self-check {}: {}; repaired: {}", config.name(), invariant, found, repair);
        emit(new GroupEvent.SelfRepaired(clock.millis(), config.name(), invariant, found, repair));
    }

    private void failStop(long seq, String detail) {
        if (failed != null) {
            return;
        }
        failed = new FailStopException(seq, detail);
        LOG.error("group {}: {}", config.name(), failed.getMessage());
        emit(new GroupEvent.FailStopped(clock.millis(), config.name(), seq, detail));
        log.forEach(e -> {
            if (e != null && !e.answered) {
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
        for (ReplicaProcess p : processes) {
            p.kill(); // orphans the table lost track of, if any
        }
        UnavailableException closed = closedException();
        log.forEach(e -> {
            if (e != null && !e.answered) {
                e.answered = true;
                e.reply.completeExceptionally(closed);
            }
        });
        Object m;
        while ((m = inbox.poll()) != null) {
            if (m instanceof Task t) {
                t.action().run();
            } else {
                failSubmitted(m, closed);
            }
        }
        terminated = true;
        rejectQueued(); // what was posted between the drain above and the flag
    }

    /** Fails every queued request and task: the loop will never handle them. Any thread, after termination. */
    private void rejectQueued() {
        UnavailableException closed = closedException();
        Object m;
        while ((m = inbox.poll()) != null) {
            if (m instanceof Task t) {
                t.rejected().accept(closed);
            } else {
                failSubmitted(m, closed);
            }
        }
    }

    private static void failSubmitted(Object message, UnavailableException closed) {
        if (message instanceof Submit s) {
            s.reply().completeExceptionally(closed);
        } else if (message instanceof SubmitBatch b) {
            for (Submit s : b.submits()) {
                s.reply().completeExceptionally(closed);
            }
        }
    }

    UnavailableException closedException() {
        return new UnavailableException("group " + config.name() + " is closed");
    }

    // ---- admin actions, injection and status (run on the loop via Task) ----------------------------

    private Slot slot(int replica) {
        if (replica < 0 || replica >= slots.length) {
            throw new IllegalArgumentException("no replica " + replica + "; the group has " + slots.length
                    + " (0.." + (slots.length - 1) + ")");
        }
        return slots[replica];
    }

    /** Operator action: replace one replica now (restore + replay), without counting it as a fault. */
    String restartReplica(int replica) {
        Slot slot = slot(replica);
        if (!serving()) {
            throw new IllegalStateException("group " + config.name() + " is not serving");
        }
        if (slot.state == SlotState.DORMANT) {
            throw new IllegalStateException("replica " + replica + " is dormant (adaptive DMR): it has no process to restart");
        }
        long before = slot.pid();
        if (slot.state == SlotState.BACKING_OFF) {
            intensity.recovered(slot.index);
            launch(slot);
        } else {
            restart(slot, "restart requested by operator", log.lastSequence(), Cause.OPERATOR);
        }
        long after = slot.pid(); // known once the new process has started, on its own thread (see launch)
        // The new process starts off the loop, so its pid is rarely known yet: "replaced by pid to be assigned"
        // read like a pid that had not been given out.
        return "replica " + replica + ": " + (before > 0 ? "pid " + before : "no process") + (after > 0
                ? " replaced by pid " + after : " being replaced by a new process, whose pid its replica-started event gives")
                + " (" + slot.state.label() + ")";
    }

    void setRejuvenationPeriod(Duration period) {
        supervisor.setRejuvenationPeriod(period, nanos.getAsLong());
    }

    CompletableFuture<String> inject(int replica, InjectedFault fault, long arg) {
        try {
            return injections.inject(slot(replica), fault, arg);
        } catch (IllegalArgumentException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    GroupStatus status() {
        return StatusView.of(this, nanos.getAsLong(), failed);
    }

    /** Why the group cannot start, or null; read by the thread that waits for the start. */
    String startFailure() {
        return startFailure;
    }

    /** The replica {@link #startFailure()} names, or -1. */
    int startFailureReplica() {
        return startFailureReplica;
    }

    /** The stable checkpoint's snapshot bytes (null before the first), for tools and tests. */
    Checkpoint stableCheckpoint() {
        return checkpoints.stable();
    }

    Path logFile(int replica) {
        return launcher.logFile(replica);
    }

    // ---- plumbing ----------------------------------------------------------------------------------

    void setState(Slot slot, SlotState state) {
        anyActive |= state == SlotState.ACTIVE;
        if (slot.state != state) {
            dormantSlots += (state == SlotState.DORMANT ? 1 : 0) - (slot.state == SlotState.DORMANT ? 1 : 0);
            slot.state = state;
            slot.stateSinceNanos = nanos.getAsLong();
        }
    }

    void count(String name) {
        counters.increment(name);
    }

    void emit(GroupEvent event) {
        for (Consumer<GroupEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("group {}: event listener failed on {}: {}", config.name(), event.type(), e.toString());
            }
        }
    }
}

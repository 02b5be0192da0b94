package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.core.ReshException;
import io.resh.gateway.Gateway;
import io.resh.gateway.server.CheckpointStore;
import io.resh.host.Checkpoint;
import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.ratis.io.MD5Hash;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.SnapshotRetentionPolicy;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.FileListSnapshotInfo;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Ratis state machine of one host: applies each committed entry to the host's local voted
 * group ({@link LocalGroup}: Java replicas, or unmodified servers behind a gateway) and returns the
 * voted outcome.
 *
 * <p>Threads: Ratis calls {@link #startTransaction} on the leader's request threads, and
 * {@link #applyTransaction}, {@link #takeSnapshot} and {@link #reinitialize} on its one state machine
 * updater thread, in log order. Entries are submitted to the group in that order without waiting for
 * each reply (the group numbers them in submission order), so the group's sequence number after the
 * k-th applied client entry is k (a gateway numbers its checkpoint requests too, so a gateway's snapshot records
 * both, see {@link GatewaySnapshot}). Ratis waits for every pending apply future before it takes a
 * snapshot, so a snapshot sees a quiet group.
 *
 * <p>Determinism: the leader stamps the request with its time and a random seed in
 * {@link #startTransaction}; every host's replicas execute with that context, so the hosts' groups go
 * through the same states. An outcome is never an exception: a service error, fail-stop or unavailable
 * group becomes a {@link ClusterReply} with that status, so every host records the same result.
 */
final class ClusterStateMachine extends BaseStateMachine {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterStateMachine.class);
    private static final int SNAPSHOTS_KEPT = 2;
    private static final SnapshotRetentionPolicy RETAINED = new SnapshotRetentionPolicy() {
        @Override
        public int getNumSnapshotsRetained() {
            return SNAPSHOTS_KEPT;
        }
    };

    /** After a gateway's snapshot failed, how long until the next is tried (Ratis asks again at every applied entry). */
    private static final Duration GATEWAY_SNAPSHOT_RETRY = Duration.ofSeconds(10);

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Function<Checkpoint, LocalGroup> groupStarter;
    /** For a host of unmodified servers behind a gateway: its snapshots' storage, else null. */
    private final GatewaySnapshotStorage gatewayStorage;
    /** Starts a host's gateway from a checkpoint of its servers (null: empty), else null. */
    private final Function<CheckpointStore.Stored, LocalGroup> gatewayStarter;
    /** When a gateway's snapshot may be tried again after one failed (nanoTime), or 0. */
    private long gatewaySnapshotAfter;
    private final Duration checkpointTimeout;
    private volatile LocalGroup group;
    private final List<Consumer<LocalGroup>> onRestart = new CopyOnWriteArrayList<>();
    private volatile boolean closing;
    private volatile Runnable onClosedByRaft = () -> { };
    /** Client entries applied so far = the local group's last assigned sequence number. */
    private volatile long appliedSequence;
    private final Object startLines = new Object();
    /**
     * The line of the local group's start, held until the host is up ({@link #announceStart}): Ratis starts the
     * group before the host's last checks, and a host refused by one logged "local group started", then the
     * refusal. Guarded by {@link #startLines}, as is {@link #announced}.
     */
    private Runnable startLine;
    private boolean announced;

    /**
     * @param groupStarter starts the local group from a checkpoint (the initial state or a snapshot)
     * @param checkpointTimeout how long a snapshot waits for the group's checkpoint to become stable
     */
    ClusterStateMachine(Function<Checkpoint, LocalGroup> groupStarter, Duration checkpointTimeout) {
        this.groupStarter = groupStarter;
        this.gatewayStorage = null;
        this.gatewayStarter = null;
        this.checkpointTimeout = checkpointTimeout;
    }

    /**
     * The state machine of a host of unmodified servers behind a gateway: a snapshot is a checkpoint of its servers'
     * files ({@link GatewaySnapshot}), taken only when the gateway has {@code checkpoint:}.
     *
     * @param gatewayStarter starts the gateway from a checkpoint of its servers, or with empty servers given null
     * @param checkpointTimeout how long a snapshot waits for the gateway's checkpoint
     */
    ClusterStateMachine(Duration checkpointTimeout, Function<CheckpointStore.Stored, LocalGroup> gatewayStarter) {
        this.groupStarter = null;
        this.gatewayStorage = new GatewaySnapshotStorage();
        this.gatewayStarter = gatewayStarter;
        this.checkpointTimeout = checkpointTimeout;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        if (gatewayStorage != null) {
            gatewayStorage.init(raftStorage);
        } else {
            storage.init(raftStorage);
        }
        // RUNNING, so that a snapshot install can pause and resume it.
        getLifeCycle().startAndTransition(this::load, IOException.class);
    }

    /** Before Ratis installs a snapshot from the leader: no entry is applied until {@link #reinitialize}. */
    @Override
    public void pause() {
        if (getLifeCycleState() == LifeCycle.State.RUNNING) {
            getLifeCycle().transition(LifeCycle.State.PAUSING);
            getLifeCycle().transition(LifeCycle.State.PAUSED);
        }
    }

    /** After a snapshot was installed from the leader: restart the local group from it. */
    @Override
    public void reinitialize() throws IOException {
        load();
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return gatewayStorage != null ? gatewayStorage : storage;
    }

    private void load() throws IOException {
        if (gatewayStorage != null) {
            loadGateway(gatewayStorage.loadLatestSnapshot());
        } else {
            load(storage.loadLatestSnapshot());
        }
    }

    /** Starts the gateway from the newest snapshot's checkpoint of its servers, or with empty servers. */
    private void loadGateway(FileListSnapshotInfo info) throws IOException {
        GatewaySnapshot snap = null;
        Path dir = null;
        if (info != null) {
            dir = gatewayStorage.dirOf(info.getTermIndex());
            try {
                snap = GatewaySnapshot.read(dir);
            } catch (IOException e) {
                throw new ReshException("cannot start the local gateway from the Raft snapshot at index "
                        + info.getTermIndex().getIndex() + ": " + e.getMessage(), e);
            }
        }
        LocalGroup old = group;
        group = null;
        if (old != null) {
            old.close();
        }
        if (snap == null) {
            group = gatewayStarter.apply(null);
            appliedSequence = 0;
        } else {
            try {
                group = gatewayStarter.apply(snap.checkpoint(dir));
            } catch (ReshException e) {
                throw new ReshException("cannot start the local gateway from the Raft snapshot at index " + snap.index()
                        + " in " + dir + ": " + e.getMessage(), e);
            }
            appliedSequence = snap.applied();
            setLastAppliedTermIndex(TermIndex.valueOf(snap.term(), snap.index()));
        }
        if (old != null) {
            onRestart.forEach(l -> l.accept(group));
        }
        Runnable line;
        if (snap != null) {
            long sequence = snap.sequence();
            long index = snap.index();
            line = () -> LOG.info("local gateway started from the Raft snapshot at index {} (its servers' checkpoint at"
                    + " request #{}); the Raft log after it is applied", index, sequence);
        } else if (!group.snapshots()) {
            // Not "a gateway takes no checkpoints": one with checkpoint: takes its own, which only bound its replay log.
            line = () -> LOG.info("local gateway started with fresh servers; Raft takes no snapshots of a gateway's"
                    + " servers without checkpoint:, so its log, kept whole, is applied to them from its start");
        } else {
            line = () -> LOG.info("local gateway started with fresh servers; no Raft snapshot yet, so the Raft log is"
                    + " applied from its start");
        }
        announceOrHold(line);
    }

    private void load(SingleFileSnapshotInfo info) throws IOException {
        SnapshotFile snap;
        if (info == null) {
            snap = new SnapshotFile(0, -1, Checkpoint.INITIAL);
        } else {
            MD5Hash md5 = info.getFile().getFileDigest();
            if (md5 != null) {
                MD5FileUtil.verifySavedMD5(info.getFile().getPath().toFile(), md5);
            }
            snap = SnapshotFile.read(info.getFile().getPath());
        }
        LocalGroup old = group;
        group = null; // status readers see "restarting", not a closing group that would make them wait
        if (old != null) {
            old.close();
        }
        group = groupStarter.apply(snap.checkpoint());
        appliedSequence = snap.checkpoint().sequence();
        if (old != null) {
            onRestart.forEach(l -> l.accept(group));
        }
        if (info != null) {
            setLastAppliedTermIndex(TermIndex.valueOf(snap.term(), snap.index()));
        }
        // "From checkpoint #0 (Raft index -1)" read as if a checkpoint had been restored: say what really happened.
        Runnable line;
        if (info == null) {
            line = () -> LOG.info("local group started from its initial state; no snapshot yet, so the Raft log is"
                    + " applied from its start");
        } else {
            long sequence = snap.checkpoint().sequence();
            long index = snap.index();
            line = () -> LOG.info("local group started from checkpoint #{} (Raft index {})", sequence, index);
        }
        announceOrHold(line);
    }

    private void announceOrHold(Runnable line) {
        synchronized (startLines) {
            if (!announced) {
                startLine = line; // a group restarted before the host is up: only its last start is news
                return;
            }
        }
        line.run();
    }

    /** The host is up: logs the local group's start, and from now on each restart as it happens. */
    void announceStart() {
        Runnable line;
        synchronized (startLines) {
            announced = true;
            line = startLine;
            startLine = null;
        }
        if (line != null) {
            line.run();
        }
    }

    /** On the leader: stamp the request with the time and seed every host's replicas will see. */
    @Override
    public TransactionContext startTransaction(RaftClientRequest request) {
        byte[] payload = request.getMessage().getContent().toByteArray();
        ClusterEntry entry = new ClusterEntry(System.currentTimeMillis(), ThreadLocalRandom.current().nextLong(),
                payload);
        return TransactionContext.newBuilder().setStateMachine(this).setClientRequest(request)
                .setLogData(ByteString.copyFrom(entry.encode())).build();
    }

    @Override
    public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
        LogEntryProto log = trx.getLogEntry();
        TermIndex at = TermIndex.valueOf(log);
        ClusterEntry entry;
        try {
            entry = ClusterEntry.decode(log.getStateMachineLogEntry().getLogData().asReadOnlyByteBuffer());
        } catch (IllegalArgumentException e) {
            // A malformed entry is skipped the same way on every host; it takes no sequence number.
            updateLastAppliedTermIndex(at.getTerm(), at.getIndex());
            return CompletableFuture.completedFuture(reply(ClusterReply.error(ClientProtocol.STATUS_BAD_REQUEST,
                    e.getMessage())));
        }
        LocalGroup g = group;
        String refusal = g.refusal(entry.payload());
        if (refusal != null) {
            updateLastAppliedTermIndex(at.getTerm(), at.getIndex());
            return CompletableFuture.completedFuture(reply(ClusterReply.error(ClientProtocol.STATUS_BAD_REQUEST, refusal)));
        }
        appliedSequence++;
        updateLastAppliedTermIndex(at.getTerm(), at.getIndex());
        return g.apply(entry.payload(), entry.timeMillis(), entry.seed()).thenApply(r -> reply(committed(r)));
    }

    /**
     * A local group's "unavailable" (it is closing, say) means "not run" to a client, which is no longer true once
     * the entry is committed: the other hosts apply it whatever this one does. So the client is told the outcome is
     * unknown, as for any committed request whose reply is lost, and does not retry a write believing it undone.
     */
    static ClusterReply committed(ClusterReply r) {
        if (r.status() != ClientProtocol.STATUS_UNAVAILABLE) {
            return r;
        }
        return ClusterReply.error(ClientProtocol.STATUS_OUTCOME_UNKNOWN, "committed to the cluster's log, so the other"
                + " hosts apply it, but this host's group gave no reply (" + r.message() + "); a retry may apply it twice"
                + " (only the Java ClusterClient's own retries apply it once)");
    }

    private static Message reply(ClusterReply r) {
        return Message.valueOf(ByteString.copyFrom(r.encode()));
    }

    /**
     * Makes the local group checkpoint at the last applied entry, waits until f+1 replicas agreed on it,
     * and writes it with the Raft term and index it covers.
     */
    @Override
    public long takeSnapshot() throws IOException {
        TermIndex last = getLastAppliedTermIndex();
        if (last == null || last.getIndex() < 0 || !group.snapshots()) {
            return -1;
        }
        if (gatewayStorage != null) {
            return takeGatewaySnapshot(last);
        }
        long sequence = appliedSequence;
        Checkpoint cp = stableCheckpointAt(sequence);
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        new SnapshotFile(last.getTerm(), last.getIndex(), cp).write(file.toPath());
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        try {
            storage.cleanupOldSnapshots(RETAINED);
        } catch (IOException e) {
            LOG.warn("cannot delete old snapshots: {}", e.getMessage());
        }
        LOG.info("snapshot at Raft index {} = local checkpoint #{} ({} bytes)", last.getIndex(), sequence,
                cp.snapshot() == null ? 0 : cp.snapshot().length);
        return last.getIndex();
    }

    /**
     * Has the gateway checkpoint its servers after every applied entry (Ratis applies none while it takes a snapshot,
     * and waited for those applied so far), and keeps the checkpoint's files as the snapshot at {@code last}. A
     * snapshot that fails (fewer than f+1 healthy servers, no agreement) is a warning, and the next is tried after
     * {@link #GATEWAY_SNAPSHOT_RETRY}; the log is kept until one is taken.
     */
    private long takeGatewaySnapshot(TermIndex last) throws IOException {
        if (gatewaySnapshotAfter != 0 && System.nanoTime() - gatewaySnapshotAfter < 0) {
            return -1;
        }
        Gateway gateway = ((GatewayLocalGroup) group).gateway();
        CheckpointStore.Stored cp;
        try {
            cp = gateway.checkpointNow().get(checkpointTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            String why = e instanceof TimeoutException ? "the gateway's checkpoint took longer than "
                    + checkpointTimeout.toSeconds() + " s" : String.valueOf(CompletionCause.of(e).getMessage());
            gatewaySnapshotAfter = System.nanoTime() + GATEWAY_SNAPSHOT_RETRY.toNanos();
            LOG.warn("no Raft snapshot at index {}: {}; the Raft log is kept, and a snapshot is tried again in {} s",
                    last.getIndex(), why, GATEWAY_SNAPSHOT_RETRY.toSeconds());
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while the gateway took the checkpoint for a snapshot");
        }
        gatewaySnapshotAfter = 0;
        GatewaySnapshot snap = new GatewaySnapshot(last.getTerm(), last.getIndex(), cp.sequence(), appliedSequence,
                cp.digest(), cp.sums());
        gatewayStorage.write(snap, cp);
        try {
            gatewayStorage.cleanupOldSnapshots(RETAINED);
        } catch (IOException e) {
            LOG.warn("cannot delete old snapshots: {}", e.getMessage());
        }
        LOG.info("snapshot at Raft index {} = the gateway's checkpoint at request #{} ({} bytes)", last.getIndex(),
                cp.sequence(), cp.bytes());
        return last.getIndex();
    }

    /** Asks the group for a checkpoint at {@code sequence} and waits until it is stable. */
    Checkpoint stableCheckpointAt(long sequence) throws IOException {
        LocalGroup g = group;
        if (!g.snapshots() || g instanceof GatewayLocalGroup) {
            throw new IOException("this host's group is unmodified servers behind a gateway, whose state resh does not"
                    + " hold (compare their checkpoint.digest instead)");
        }
        Checkpoint cp = g.stableCheckpoint();
        if (cp.sequence() == sequence) {
            return cp;
        }
        g.checkpointNow();
        long deadline = System.nanoTime() + checkpointTimeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (closing) {
                throw new IOException("host is stopping; no snapshot at #" + sequence);
            }
            cp = g.stableCheckpoint();
            if (cp.sequence() >= sequence) {
                if (cp.sequence() != sequence) {
                    throw new IOException("local checkpoint #" + cp.sequence() + " is past the applied entry #" + sequence);
                }
                return cp;
            }
            try {
                Thread.sleep(5); // the group's checkpoint completes on its own loop; nothing to wake us
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for checkpoint #" + sequence);
            }
        }
        throw new IOException("the local group did not make checkpoint #" + sequence + " stable within "
                + checkpointTimeout.toSeconds() + " s (stable: #" + cp.sequence() + ")");
    }

    /** Called on Ratis's thread with the new group each time the local group is restarted from an installed snapshot. */
    void onRestart(Consumer<LocalGroup> listener) {
        onRestart.add(listener);
    }

    /** The host is stopping: a snapshot in progress gives up instead of waiting for a stopping group. */
    void closing() {
        closing = true;
    }

    /**
     * Called once if Ratis closes this state machine while the host is not stopping: Ratis shuts a server
     * down on its own when it learns that it was removed from the cluster's configuration.
     */
    void onClosedByRaft(Runnable listener) {
        onClosedByRaft = listener;
    }

    /** The local group (replaced when a snapshot is installed; null while it restarts). */
    LocalGroup group() {
        return group;
    }

    long appliedSequence() {
        return appliedSequence;
    }

    @Override
    public void close() throws IOException {
        super.close();
        LocalGroup g = group;
        if (g != null) {
            g.close();
        }
        if (!closing) {
            closing = true;
            onClosedByRaft.run();
        }
    }
}

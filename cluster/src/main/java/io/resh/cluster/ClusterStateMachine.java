package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.host.Checkpoint;
import java.io.File;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
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
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
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
 * k-th applied client entry is k. Ratis waits for every pending apply future before it takes a
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

    private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
    private final Function<Checkpoint, LocalGroup> groupStarter;
    private final Duration checkpointTimeout;
    private volatile LocalGroup group;
    private volatile Consumer<LocalGroup> onRestart = g -> { };
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
        this.checkpointTimeout = checkpointTimeout;
    }

    @Override
    public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage) throws IOException {
        super.initialize(server, groupId, raftStorage);
        storage.init(raftStorage);
        // RUNNING, so that a snapshot install can pause and resume it.
        getLifeCycle().startAndTransition(() -> load(storage.loadLatestSnapshot()), IOException.class);
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
        load(storage.loadLatestSnapshot());
        if (getLifeCycleState() == LifeCycle.State.PAUSED) {
            getLifeCycle().transition(LifeCycle.State.STARTING);
            getLifeCycle().transition(LifeCycle.State.RUNNING);
        }
    }

    @Override
    public StateMachineStorage getStateMachineStorage() {
        return storage;
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
            onRestart.accept(group);
        }
        if (info != null) {
            setLastAppliedTermIndex(TermIndex.valueOf(snap.term(), snap.index()));
        }
        // "From checkpoint #0 (Raft index -1)" read as if a checkpoint had been restored: say what really happened.
        Runnable line;
        if (!group.snapshots()) {
            // Not "a gateway takes no checkpoints": one with checkpoint: takes its own, which only bound its replay log.
            line = () -> LOG.info("local gateway started with fresh servers; Raft takes no snapshots of a gateway's"
                    + " servers, so its log, kept whole, is applied to them from its start");
        } else if (info == null) {
            line = () -> LOG.info("local group started from its initial state; no snapshot yet, so the Raft log is"
                    + " applied from its start");
        } else {
            long sequence = snap.checkpoint().sequence();
            long index = snap.index();
            line = () -> LOG.info("local group started from checkpoint #{} (Raft index {})", sequence, index);
        }
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
        return g.apply(entry.payload(), entry.timeMillis(), entry.seed()).thenApply(ClusterStateMachine::reply);
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
        long sequence = appliedSequence;
        Checkpoint cp = stableCheckpointAt(sequence);
        File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
        new SnapshotFile(last.getTerm(), last.getIndex(), cp).write(file.toPath());
        MD5Hash md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
        storage.updateLatestSnapshot(new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
        try {
            storage.cleanupOldSnapshots(new org.apache.ratis.statemachine.SnapshotRetentionPolicy() {
                @Override
                public int getNumSnapshotsRetained() {
                    return SNAPSHOTS_KEPT;
                }
            });
        } catch (IOException e) {
            LOG.warn("cannot delete old snapshots: {}", e.getMessage());
        }
        LOG.info("snapshot at Raft index {} = local checkpoint #{} ({} bytes)", last.getIndex(), sequence,
                cp.snapshot() == null ? 0 : cp.snapshot().length);
        return last.getIndex();
    }

    /** Asks the group for a checkpoint at {@code sequence} and waits until it is stable. */
    Checkpoint stableCheckpointAt(long sequence) throws IOException {
        LocalGroup g = group;
        if (!g.snapshots()) {
            throw new IOException("this host's group has no checkpoints (unmodified servers behind a gateway)");
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
        onRestart = listener;
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

package io.resh.gateway.server;

import io.netty.channel.EventLoop;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.ReshException;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus.ReplicaStatus;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replica group's life cycle: start N server processes, and turn every fault into kill, restart,
 * rebuild and rejoin. What "rebuild" means belongs to the mode's {@link Engine} (ordered mode replays
 * its log; stream mode just sends new connections to the new process).
 *
 * <p>State changes run on the gateway's event loop; launching, probing and killing processes block,
 * so they run on a small worker pool and post their outcome back to the loop.
 */
public final class ServerGroup implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ServerGroup.class);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
    private static final Duration STABLE = Duration.ofSeconds(10);
    /** How often a replica may fail to start while the group is starting before the start fails. */
    private static final int INITIAL_ATTEMPTS = 2;

    /** The mode-specific side of a replica: connect to a started process, and let go of a failed one. */
    public interface Engine {
        /**
         * The process is ready: connect, rebuild its state, and call {@link ServerGroup#caughtUp} once it
         * votes (or {@link ServerGroup#fault} if that fails). Called on the event loop.
         */
        void attach(int slot, ServerProcess process);

        /** Take the replica out of every vote and close its connections. Idempotent. Event loop. */
        void detach(int slot);

        /**
         * The replica's process exited while it was in the group: report a {@link FaultKind#CRASH} through
         * {@link ServerGroup#fault}, at the request it died on if the engine can tell. Event loop.
         */
        void exited(int slot, String evidence);

        /**
         * False when a replacement could not be brought in sync (the replay log overflowed); once that changes (a
         * checkpoint starts the log again), {@link ServerGroup#rebuildable} is called.
         */
        boolean canRebuild();
    }

    private enum State { STARTING, REPLAYING, LIVE, FAULTY, STOPPED }

    private static final class Replica {
        State state = State.STARTING;
        ServerProcess process;
        int incarnation;
        long faults;
        String lastFault;
        int failuresInARow;
        long liveSinceNanos;
        long recoveryStartNanos = -1;
    }

    private final GatewayConfig config;
    private final Path workDir;
    private final EventLoop loop;
    private final Consumer<GroupEvent> events;
    private final ExecutorService workers;
    /** Starts every process: a server is killed when the thread that started it ends (LaunchPrefix). */
    private final ExecutorService spawner;
    private final Replica[] replicas;
    private final CompletableFuture<Void> started = new CompletableFuture<>();
    /** Every process started and not yet seen to exit, so close() can kill them from any thread. */
    private final java.util.Set<ServerProcess> running = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private Engine engine;
    /**
     * A check of a server that is ready, before it joins the group (on a worker thread; it may block). A failure is
     * the server's start failure, with the exception's message as the reason.
     */
    public interface StartCheck {
        void check(ServerProcess ready) throws IOException;
    }

    private StartCheck startCheck = ready -> { };
    /** The checkpoint a server starts from, read when it is launched. */
    private java.util.function.Supplier<CheckpointStore.Stored> checkpoint = () -> null;
    private volatile boolean closed;

    public ServerGroup(GatewayConfig config, Path workDir, EventLoop loop, Consumer<GroupEvent> events) {
        this.config = config;
        this.workDir = workDir;
        this.loop = loop;
        this.events = events;
        this.replicas = new Replica[config.replicas()];
        for (int i = 0; i < replicas.length; i++) {
            replicas[i] = new Replica();
        }
        this.workers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "resh-supervisor-" + config.group());
            t.setDaemon(true);
            return t;
        });
        this.spawner = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "resh-spawner-" + config.group());
            t.setDaemon(true);
            return t;
        });
    }

    public void engine(Engine engine) {
        this.engine = engine;
    }

    /** Checks every server once it is ready, before it joins (e.g. that it loaded its checkpoint). */
    public void startCheck(StartCheck check) {
        this.startCheck = check;
    }

    /** Where a starting server's saved state comes from: the current checkpoint (null: it starts empty). */
    public void checkpoint(java.util.function.Supplier<CheckpointStore.Stored> current) {
        this.checkpoint = current;
    }

    /**
     * Starts every replica. The future completes once all of them vote, and fails (with the failing
     * replica, its exit and the tail of its log) if any cannot start.
     */
    public CompletableFuture<Void> start() {
        // Once per gateway, not per server start; before a kill -9, not learnt from servers left running after it.
        LaunchPrefix.parentDeathMissing().ifPresent(why -> LOG.warn("gateway {}: {}", config.group(), why));
        loop.execute(() -> {
            for (int i = 0; i < replicas.length; i++) {
                launch(i);
            }
        });
        return started;
    }

    private void launch(int slot) {
        if (closed) {
            return;
        }
        Replica r = replicas[slot];
        r.state = State.STARTING;
        int incarnation = ++r.incarnation;
        GatewayConfig.Server server = config.server();
        boolean udp = config.listen().mode() == GatewayConfig.Mode.UDP;
        Path dataDir = dataDir(slot);
        Path logFile = logFile(slot);
        CheckpointStore.Stored seed = checkpoint.get();
        workers.execute(() -> {
            ServerProcess p = null;
            try {
                p = spawn(slot, incarnation, server, dataDir, logFile, udp, seed);
                if (closed) {
                    p.kill();
                    return;
                }
                p.awaitReady(server.ready(), server.readyTimeout());
                startCheck.check(p);
                ServerProcess ready = p;
                loop.execute(() -> started(slot, incarnation, ready));
            } catch (IOException | RuntimeException e) {
                if (p != null) {
                    p.killAndWait(Duration.ofSeconds(2));
                }
                String why = e.getMessage();
                loop.execute(() -> startFailed(slot, incarnation, why));
            } catch (InterruptedException e) {
                if (p != null) {
                    p.kill();
                }
                Thread.currentThread().interrupt();
            }
        });
    }

    private ServerProcess spawn(int slot, int incarnation, GatewayConfig.Server server, Path dataDir, Path logFile,
                                boolean udp, CheckpointStore.Stored seed) throws IOException, InterruptedException {
        try {
            // Tracked by the spawning thread itself: a worker interrupted by close() while it waits here would
            // otherwise leave a process started a moment later untracked, and running after close().
            return spawner.submit(() -> {
                ServerProcess started = ServerProcess.start(slot, incarnation, server.commandFor(slot), server, dataDir,
                        logFile, udp, seed);
                running.add(started);
                started.onExit().thenRun(() -> running.remove(started));
                return started;
            }).get();
        } catch (java.util.concurrent.RejectedExecutionException e) {
            throw new IOException("the group is closing");
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new IOException(String.valueOf(e.getCause()), e.getCause());
        }
    }

    private void started(int slot, int incarnation, ServerProcess p) {
        Replica r = replicas[slot];
        if (closed || incarnation != r.incarnation || r.state != State.STARTING) {
            p.kill();
            return;
        }
        r.process = p;
        r.state = State.REPLAYING;
        emit(new GroupEvent.ReplicaStarted(now(), config.group(), slot, Isolation.core(config.server(), slot), p.pid(),
                incarnation, p.command().get(0)));
        p.onExit().thenRun(() -> loop.execute(() -> exited(slot, incarnation)));
        engine.attach(slot, p);
    }

    private void startFailed(int slot, int incarnation, String why) {
        Replica r = replicas[slot];
        if (closed || incarnation != r.incarnation) {
            return;
        }
        String said = ServerProcess.reasonInLog(logFile(slot));
        String evidence = "replica " + slot + " could not start: " + why + (said == null ? "" : "; its log says: " + said)
                + " (log: " + logFile(slot) + ")";
        r.faults++;
        r.lastFault = FaultKind.START_FAILURE.label() + ": " + why;
        emit(new GroupEvent.FaultDetected(now(), config.group(), slot, Isolation.core(config.server(), slot), 0, FaultKind.START_FAILURE, evidence));
        if (!started.isDone()) {
            if (r.incarnation < INITIAL_ATTEMPTS) {
                LOG.warn("group {}: {}; trying again on another port", config.group(), evidence);
                // Once more on a new port: something else may have bound the one we picked.
                launch(slot);
                return;
            }
            r.state = State.STOPPED;
            // Not logged here: the group's start fails with it, and that failure is reported.
            started.completeExceptionally(new ReshException(evidence));
            return;
        }
        long delay = relaunchLater(slot);
        // Every fault is logged, this one too: a replacement failing to start under back-off was otherwise silent
        // until it recovered, if it ever did. One line per attempt, as the back-off spaces them.
        LOG.warn("group {}: {}; trying again {}", config.group(), evidence, delay == 0 ? "at once" : "in " + delay + " ms");
    }

    private void exited(int slot, int incarnation) {
        Replica r = replicas[slot];
        if (!closed && incarnation == r.incarnation && r.process != null && (r.state == State.REPLAYING || r.state == State.LIVE)) {
            engine.exited(slot, "process " + r.process.pid() + " " + r.process.exitDescription());
        }
    }

    /**
     * Like {@link #fault(int, FaultKind, long, String)}, but ignored unless {@code incarnation} is still
     * the replica's current one: evidence gathered on a connection to an earlier, already replaced
     * process must not condemn its successor.
     */
    public void fault(int slot, int incarnation, FaultKind kind, long sequence, String evidence) {
        if (replicas[slot].incarnation == incarnation) {
            fault(slot, kind, sequence, evidence);
        }
    }

    /**
     * Replica {@code slot} is faulty: take it out of the vote, kill it, and start a replacement
     * (after a back-off if it keeps failing). Repeated reports for the same incarnation are ignored.
     * Event loop only.
     */
    public void fault(int slot, FaultKind kind, long sequence, String evidence) {
        fault(slot, kind, sequence, false, evidence);
    }

    /**
     * Like {@link #fault(int, FaultKind, long, String)}, for a replica that owed no reply when it failed: no request
     * is to blame, so it is reported as idle after {@code sequence}, the last request it answered (for a server not
     * connected yet, the latest request, which it was to be rebuilt up to). Event loop only.
     */
    public void faultWhileIdle(int slot, FaultKind kind, long sequence, String evidence) {
        fault(slot, kind, sequence, true, evidence);
    }

    private void fault(int slot, FaultKind kind, long sequence, boolean idle, String evidence) {
        Replica r = replicas[slot];
        if (closed || (r.state != State.REPLAYING && r.state != State.LIVE)) {
            return;
        }
        GroupEvent.FaultDetected event = new GroupEvent.FaultDetected(now(), config.group(), slot,
                Isolation.core(config.server(), slot), sequence, kind, evidence, Map.of(), idle);
        // Says when it came, as a replica group's does: at the request it is about, or idle after the last one it
        // answered. Stream mode has no request numbers (sequence 0): the kind alone.
        String what = idle || sequence > 0 ? kind.label() + " " + event.at() : kind.label();
        LOG.warn("group {}: replica {} {}: {}", config.group(), slot, what, evidence);
        r.faults++;
        r.lastFault = what + ": " + evidence;
        emit(event);
        engine.detach(slot);
        ServerProcess p = r.process;
        workers.execute(p::kill);
        if (!started.isDone()) {
            r.state = State.STOPPED;
            started.completeExceptionally(new ReshException("replica " + slot + " failed while the group was starting: "
                    + kind.label() + ": " + evidence));
            return;
        }
        if (r.recoveryStartNanos < 0) {
            r.recoveryStartNanos = System.nanoTime(); // also for one stopped below: restarted, it recovers from this fault
        }
        if (!engine.canRebuild()) {
            r.state = State.STOPPED;
            if (config.checkpoint() == null) {
                LOG.error("group {}: replica {} is removed for good: the replay log overflowed, so a replacement "
                        + "could not be brought in sync", config.group(), slot);
            } else {
                LOG.warn("group {}: replica {} is not replaced for now: the replay log overflowed, so a replacement "
                        + "could not be brought in sync; it is started again once a checkpoint starts the log again",
                        config.group(), slot);
            }
            return;
        }
        if (r.state == State.LIVE && System.nanoTime() - r.liveSinceNanos > STABLE.toNanos()) {
            r.failuresInARow = 0;
        }
        r.state = State.FAULTY;
        emit(new GroupEvent.RecoveryStarted(now(), config.group(), slot, Isolation.core(config.server(), slot), sequence, kind.label()));
        relaunchLater(slot);
    }

    /**
     * The engine can rebuild replicas again (the replay log, which had overflowed, starts again at the checkpoint at
     * request {@code sequence}): every replica stopped meanwhile is started again as a replacement, at once, so that
     * the group returns to full strength. Event loop only.
     */
    public void rebuildable(long sequence) {
        if (closed || !started.isDone() || started.isCompletedExceptionally()) {
            return; // a group that failed to start is closed, not mended
        }
        for (int i = 0; i < replicas.length; i++) {
            Replica r = replicas[i];
            if (r.state != State.STOPPED) {
                continue;
            }
            r.failuresInARow = 0; // at once: it waited for a log to be rebuilt from, not out a back-off
            emit(new GroupEvent.RecoveryStarted(now(), config.group(), i, Isolation.core(config.server(), i), sequence,
                    "replay log restarted at checkpoint #" + sequence));
            relaunchLater(i);
        }
    }

    /** Launches replica {@code slot} again after its back-off; returns the back-off in milliseconds. */
    private long relaunchLater(int slot) {
        Replica r = replicas[slot];
        r.state = State.FAULTY;
        long delay = r.failuresInARow == 0 ? 0 : Math.min(MAX_BACKOFF.toMillis(), 250L << Math.min(r.failuresInARow - 1, 10));
        r.failuresInARow++;
        loop.schedule(() -> launch(slot), delay, TimeUnit.MILLISECONDS);
        return delay;
    }

    /**
     * The replicas in {@code slots} (bits) failed because of a request, not of their own: their next restarts
     * start at once, as if they had not failed in a row. Event loop only.
     */
    public void forgive(int slots) {
        for (int i = 0; i < replicas.length; i++) {
            if ((slots & (1 << i)) != 0) {
                replicas[i].failuresInARow = 0;
            }
        }
    }

    /** The engine brought replica {@code slot} in sync; it votes again. Event loop only. */
    public void caughtUp(int slot, long sequence, long replayed) {
        Replica r = replicas[slot];
        if (r.state != State.REPLAYING) {
            return;
        }
        r.state = State.LIVE;
        r.liveSinceNanos = System.nanoTime();
        if (r.recoveryStartNanos >= 0) {
            long ms = (System.nanoTime() - r.recoveryStartNanos) / 1_000_000;
            r.recoveryStartNanos = -1;
            LOG.info("group {}: replica {} recovered in {} ms, {} request{} replayed", config.group(), slot, ms, replayed,
                    replayed == 1 ? "" : "s");
            emit(new GroupEvent.RecoveryCompleted(now(), config.group(), slot, Isolation.core(config.server(), slot), sequence, ms, replayed));
        }
        if (!started.isDone()) {
            boolean all = true;
            for (Replica x : replicas) {
                all &= x.state == State.LIVE;
            }
            if (all) {
                started.complete(null);
            }
        }
    }

    /** Per-replica status. Event loop only. */
    public List<ReplicaStatus> status() {
        List<ReplicaStatus> out = new ArrayList<>();
        for (int i = 0; i < replicas.length; i++) {
            Replica r = replicas[i];
            boolean running = r.process != null && (r.state == State.LIVE || r.state == State.REPLAYING);
            out.add(new ReplicaStatus(i, r.state.name().toLowerCase(java.util.Locale.ROOT), Isolation.core(config.server(), i),
                    running ? r.process.pid() : -1, running ? r.process.port() : -1, r.incarnation, r.faults,
                    r.lastFault, logFile(i)));
        }
        return out;
    }

    /**
     * Runs {@code task} on the supervisor's worker pool (blocking file work that must stay off the event loop).
     */
    public void offLoop(Runnable task) {
        try {
            workers.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // Closing: the work is moot.
        }
    }

    /** How many times replica {@code slot} was launched: a new incarnation may have emptied its data directory. */
    public int incarnation(int slot) {
        return replicas[slot].incarnation;
    }

    /** The data directory of replica {@code slot} ({@code {dir}}). */
    public Path dataDir(int slot) {
        return workDir.resolve("replica-" + slot);
    }

    /** The current process of replica {@code slot} (may be dead or being replaced), or null. */
    public ServerProcess process(int slot) {
        return replicas[slot].process;
    }

    public Path logFile(int slot) {
        return workDir.resolve("logs").resolve("replica-" + slot + ".log");
    }

    private void emit(GroupEvent e) {
        events.accept(e);
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    /** True once {@link #close} began: the replicas are being killed on purpose. Any thread. */
    public boolean isClosed() {
        return closed;
    }

    /** Kills every replica process (and its descendants) and waits briefly for them to go. Any thread. */
    @Override
    public void close() {
        closed = true;
        // Kill before the spawner thread ends: its end makes the kernel SIGKILL the processes it started (the
        // parent-death signal), and a wrapper killed that way leaves its own children to init, out of reach of
        // kill(), which walks the descendants of a live process.
        for (ServerProcess p : new ArrayList<>(running)) {
            p.kill();
        }
        // No new process after this; the one being started, if any, finishes and is tracked, so it is killed
        // below and nothing writes to the work directory once close() returned.
        spawner.shutdownNow();
        workers.shutdownNow();
        try {
            spawner.awaitTermination(5, TimeUnit.SECONDS);
            workers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ServerProcess p : new ArrayList<>(running)) {
            p.kill();
        }
        for (ServerProcess p : new ArrayList<>(running)) {
            p.killAndWait(Duration.ofSeconds(5));
        }
    }
}

package io.resh.host;

import io.resh.core.GroupEvent;
import io.resh.core.InjectedFault;
import io.resh.core.ReshException;
import io.resh.core.config.GroupConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * A running replica group: N replica processes of one service, with every request ordered, executed by
 * all of them, and voted.
 *
 * <pre>{@code
 * GroupConfig config = GroupConfig.builder("kv").replicas(3).service(KvStore.class.getName()).build();
 * try (ReplicaGroup group = ReplicaGroup.start(config)) {
 *     byte[] reply = group.submit(request).get(5, TimeUnit.SECONDS);
 * }
 * }</pre>
 *
 * <p>{@link #submit} is thread-safe and never blocks. Its future completes on the group's loop
 * thread: with the voted reply; with {@link ServiceErrorException} when f+1 replicas agreed the service
 * threw; with {@link io.resh.core.FailStopException} when the group stopped rather than answer unvoted;
 * with {@link UnavailableException} when no quorum answered in time or the group closed. Keep callbacks
 * on it short, or hop to your own executor.
 *
 * <p>Once closed, every call that needs the group's loop ({@link #status}, {@link #restart}, ...) and every
 * {@link #submit} fails at once with {@link UnavailableException}. If the JVM exits without {@link #close},
 * a shutdown hook stops the group and kills whatever replica process is still alive, a stopped one included.
 *
 * <p>Replica logs go to the configured {@code workDir}, or to a fresh temporary directory that {@link #close}
 * deletes when the group saw no fault (and {@code keepWorkDir} is not set); after a fault it is kept for the
 * post-mortem, and the log says where.
 */
public final class ReplicaGroup implements AutoCloseable {
    /** How long the shutdown hook lets the loop stop its replicas politely before killing the rest. */
    private static final long EXIT_GRACE_MILLIS = 1_000;
    /** How long {@link #close} waits for the loop, and then for every replica process, to be gone. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

    private final GroupConfig config;
    private final GroupLoop loop;
    private final Thread thread;
    private final WorkDirectory workDir;
    private final Thread shutdownHook;
    private final FaultInjector faults;
    private volatile boolean closed;
    /** Set when {@link #start} gives up: the work directory then holds the logs that say why. */
    private volatile boolean startFailed;
    /** Guarded by {@code this}: a second caller waits until the first has deleted or kept the directory. */
    private boolean workDirReleased;

    private ReplicaGroup(GroupConfig config, WorkDirectory workDir, Checkpoint initial) {
        this.config = config;
        this.workDir = workDir;
        this.loop = new GroupLoop(config, new ReplicaLauncher(config, workDir.path()), Clock.systemUTC(),
                System::nanoTime, initial);
        this.thread = new Thread(loop, "resh-group-" + config.name());
        this.faults = new FaultInjector(this);
        this.shutdownHook = new Thread(this::stopOnExit, "resh-stop-" + config.name());
    }

    /** Starts the group and waits until every replica is up (or the start timeout passed with a quorum up). */
    public static ReplicaGroup start(GroupConfig config) {
        return start(config, List.of());
    }

    /**
     * Starts the group with listeners attached before the first event, and waits until it is ready.
     *
     * @throws io.resh.core.ConfigException naming {@code workDir} if the configured work directory cannot be created,
     *     or the service class if the replicas' class path has no such {@code ReplicatedService}, or the setting
     *     that needs a program that is not installed (bwrap, prlimit, taskset)
     * @throws ReshException if fewer than f+1 replicas came up within the start timeout; the message
     *     quotes the failing replica's log
     */
    public static ReplicaGroup start(GroupConfig config, List<Consumer<GroupEvent>> listeners) {
        return start(config, listeners, Checkpoint.INITIAL);
    }

    /**
     * As {@link #start(GroupConfig, List)}, calling {@code starting} once the config passed every check made before
     * a replica runs (the service class, the programs its settings need, {@code cpus}, the work directory), just
     * before the first replica starts: where a caller says that the group starts. Said before those checks, it was
     * followed by their error, and a user read that the group started, then that it did not.
     *
     * @throws io.resh.core.ConfigException as {@link #start(GroupConfig, List)}, before {@code starting} runs
     */
    public static ReplicaGroup start(GroupConfig config, List<Consumer<GroupEvent>> listeners, Runnable starting) {
        return start(config, listeners, Checkpoint.INITIAL, starting);
    }

    /**
     * Starts the group from a checkpoint: every replica restores its snapshot first, and the next request
     * gets sequence number {@code initial.sequence() + 1}.
     */
    public static ReplicaGroup start(GroupConfig config, List<Consumer<GroupEvent>> listeners, Checkpoint initial) {
        return start(config, listeners, initial, () -> { });
    }

    /**
     * The checks {@link #start} makes before a replica runs, bar the work directory, which they create: the service
     * class, the programs its settings need, {@code cpus}. For a caller that starts the group later, inside something else's start
     * (a cluster host's Raft server loads it), and must refuse such a config before it says that it starts.
     *
     * @throws io.resh.core.ConfigException as {@link #start(GroupConfig, List)} does for them
     */
    public static void checkStart(GroupConfig config) {
        ServiceClasses.check(config, ReplicaLauncher.classpath(config.classpath(), System.getProperty("java.class.path")));
        ReplicaLauncher.requirePrograms(config);
        if (config.pin()) {
            GroupLoop.usableCores(config.supervision().cpus()); // the group's loop checks it again as it picks cores
        }
    }

    private static ReplicaGroup start(GroupConfig config, List<Consumer<GroupEvent>> listeners, Checkpoint initial,
                                      Runnable starting) {
        checkStart(config);
        ReplicaPipes.warnIfPerlMissing();
        WorkDirectory dir = WorkDirectory.create(config);
        ReplicaGroup group;
        try {
            group = new ReplicaGroup(config, dir, initial);
        } catch (RuntimeException e) {
            if (dir.keptAnyway() == null) {
                dir.delete(); // still empty: nothing was started
            }
            throw e;
        }
        listeners.forEach(group.loop::addListener);
        Runtime.getRuntime().addShutdownHook(group.shutdownHook);
        starting.run();
        group.thread.start();
        group.awaitReady();
        return group;
    }

    private void awaitReady() {
        long deadline = System.nanoTime() + config.startTimeout().toNanos();
        GroupStatus s = status();
        while (System.nanoTime() < deadline) {
            s = status();
            long active = s.replicaStates().stream().filter(r -> r.state() == SlotState.ACTIVE).count();
            long dormant = s.replicaStates().stream().filter(r -> r.state() == SlotState.DORMANT).count();
            if (active + dormant == config.replicas()) {
                return;
            }
            if (s.failed() != null || loop.startFailure() != null) {
                break;
            }
            try {
                Thread.sleep(20); // polling the group's own state while it boots JVMs
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long active = s.replicaStates().stream().filter(r -> r.state() == SlotState.ACTIVE).count();
        String cannot = loop.startFailure();
        if (active >= loop.quorum().agreementNeeded() && s.failed() == null && cannot == null) {
            return;
        }
        // The log to quote is the one of the replica the reason names: the first one not up may only be slow.
        int bad = cannot != null && loop.startFailureReplica() >= 0 ? loop.startFailureReplica()
                : s.replicaStates().stream().filter(r -> r.state() != SlotState.ACTIVE && r.state() != SlotState.DORMANT)
                        .mapToInt(ReplicaStatus::index)
                        .findFirst().orElse(0);
        String why = cannot != null ? cannot : s.failed() != null ? s.failed()
                : active + " of " + config.replicas() + " replicas up after " + config.startTimeout().toSeconds() + " s";
        startFailed = true;
        close();
        String said = reasonInLog(loop.logFile(bad));
        if (said != null) {
            why = why.replace("; its log says why", ""); // it follows
        }
        throw new ReshException("group " + config.name() + " did not start: " + why
                + (said == null ? "" : "; replica " + bad + "'s log says: " + said) + " (log: " + loop.logFile(bad) + ")");
    }

    /** The JVM's own lines around the one that says what went wrong when it cannot start. */
    private static final List<String> JVM_BOILERPLATE = List.of("Error: Could not create the Java Virtual Machine.",
            "Error: A fatal exception has occurred. Program will exit.");

    /**
     * What a replica's log says about why it did not start, in one line, or null when it says nothing: the
     * runtime's "cannot instantiate service …" line (a constructor that threw, and its exception), else the last
     * line that is neither a stack frame nor the JVM's closing boilerplate (a refused flag, a missing class, the
     * last exception). Quoting the log's tail instead made the error span lines, each failed restart's copy included.
     */
    static String reasonInLog(Path log) {
        List<String> lines;
        try {
            lines = Files.readAllLines(log);
        } catch (IOException | java.io.UncheckedIOException e) {
            return null;
        }
        String said = null;
        for (String line : lines) {
            String l = line.strip();
            int at = l.indexOf(": cannot instantiate service ");
            if (l.startsWith("resh replica ") && at > 0) {
                return l.substring(at + 2);
            }
            if (saysWhy(l) && !l.startsWith("resh replica ")) {
                said = l;
            }
        }
        return said;
    }

    /** A stripped log line that can say why a replica ended: not blank, not a stack frame, not the JVM's boilerplate. */
    private static boolean saysWhy(String line) {
        return !line.isEmpty() && !line.startsWith("at ") && !line.startsWith("... ") && !JVM_BOILERPLATE.contains(line);
    }

    /** How much of a log's end {@link #reasonAtEndOfLog} reads: an uncaught throwable and its stack fit. */
    private static final int LOG_TAIL_BYTES = 16 * 1024;

    /**
     * What the last incarnation in a replica's log said before it ended, in one line, or null when it said nothing
     * after its banner: the line of an uncaught throwable ({@code Exception in thread "main" …}), not its stack.
     * Only the log's end is read: a service that prints a lot makes it large, and a crash is reported at once.
     */
    static String reasonAtEndOfLog(Path log) {
        String tail;
        try (java.nio.channels.FileChannel file = java.nio.channels.FileChannel.open(log)) {
            long size = file.size();
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate((int) Math.min(size, LOG_TAIL_BYTES));
            while (buf.hasRemaining() && file.read(buf, size - buf.capacity() + buf.position()) > 0) {
                // reads until the tail is whole
            }
            tail = new String(buf.array(), 0, buf.position(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            return null;
        }
        String said = null;
        for (String line : tail.split("\n")) {
            String l = line.strip();
            if (l.startsWith("resh replica ")) {
                said = null; // a later incarnation's banner: what came before is an earlier process's
            } else if (saysWhy(l)) {
                said = l;
            }
        }
        return said;
    }

    /** Orders, executes and votes one request. Thread-safe, never blocks. */
    public CompletableFuture<byte[]> submit(byte[] request) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (closed) {
            reply.completeExceptionally(loop.closedException());
        } else {
            loop.post(new GroupLoop.Submit(request, reply));
        }
        return reply;
    }

    /**
     * Submits several requests at once, ordered as listed and one after another in the group's total
     * order (nothing submitted meanwhile lands between them). The same as calling {@link #submit(byte[])}
     * for each, for less: the group's loop takes them as one message, which matters when a client has
     * many requests to send (a pipeline, a batch read from a socket). Thread-safe, never blocks.
     *
     * @return one future per request, in the same order
     */
    public List<CompletableFuture<byte[]>> submitAll(List<byte[]> requests) {
        List<CompletableFuture<byte[]>> replies = new ArrayList<>(requests.size());
        GroupLoop.Submit[] submits = new GroupLoop.Submit[requests.size()];
        for (int i = 0; i < submits.length; i++) {
            CompletableFuture<byte[]> reply = new CompletableFuture<>();
            replies.add(reply);
            submits[i] = new GroupLoop.Submit(requests.get(i), reply);
        }
        if (closed) {
            replies.forEach(r -> r.completeExceptionally(loop.closedException()));
        } else if (submits.length > 0) {
            loop.post(new GroupLoop.SubmitBatch(submits));
        }
        return replies;
    }

    /**
     * Submits a request whose time and random seed were chosen elsewhere — by the leader of a cluster, so
     * that every host's replicas see the same context. Thread-safe, never blocks.
     */
    public CompletableFuture<byte[]> submit(byte[] request, long timeMillis, long seed) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        if (closed) {
            reply.completeExceptionally(loop.closedException());
        } else {
            loop.post(new GroupLoop.Submit(request, reply, true, timeMillis, seed));
        }
        return reply;
    }

    /** Submits and waits; unwraps the voted failure. */
    public byte[] call(byte[] request, Duration timeout) {
        try {
            return submit(request).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new ReshException("request failed", e.getCause());
        } catch (TimeoutException e) {
            throw UnavailableException.outcomeUnknown("no voted reply within " + timeout.toMillis() + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while waiting for a reply");
        }
    }

    /** A consistent snapshot of the group, taken on its loop. */
    public GroupStatus status() {
        return onLoop(loop::status);
    }

    /** Sees every event from now on, on the group's loop thread. */
    public void addListener(Consumer<GroupEvent> listener) {
        loop.addListener(listener);
    }

    /** Stops {@code listener} (the same instance that was added) from seeing events. No-op if it was not added. */
    public void removeListener(Consumer<GroupEvent> listener) {
        loop.removeListener(listener);
    }

    /** Sees every voted reply from now on, with its latency, on the group's loop thread. */
    public void addReplyListener(ReplyListener listener) {
        loop.addReplyListener(listener);
    }

    /** Stops {@code listener} (the same instance that was added) from seeing replies. No-op if it was not added. */
    public void removeReplyListener(ReplyListener listener) {
        loop.removeReplyListener(listener);
    }

    /** Injects real faults into this group's replicas. */
    public FaultInjector faults() {
        return faults;
    }

    /**
     * Asks every replica for a checkpoint at the last assigned request, instead of waiting for the next K.
     *
     * @return the sequence number the checkpoint is taken at (a {@code CheckpointStable} event follows once
     *     f+1 replicas agree), or -1 when the stable checkpoint already covers every request (nothing to do,
     *     and no event follows)
     */
    public long checkpointNow() {
        return onLoop(loop::checkpointNow);
    }

    /**
     * Replaces one replica now by a fresh process that restores the stable checkpoint and replays the log
     * tail, as a recovery would, but without counting it as a fault (no reputation loss, no restart
     * intensity). A replica that is backing off is started at once.
     *
     * @return what was done, e.g. {@code "replica 1: pid 4711 being replaced by a new process, whose pid its
     *     replica-started event gives (starting)"} (the new process starts off the group loop; its pid is in the
     *     {@code ReplicaStarted} event and the status)
     * @throws IllegalArgumentException if there is no such replica
     * @throws IllegalStateException if the replica is dormant (adaptive DMR) or the group does not serve
     */
    public String restart(int replica) {
        return onLoop(() -> loop.restartReplica(replica));
    }

    /**
     * Proactive rejuvenation: every {@code period}, one healthy replica is replaced by a fresh process
     * restored from the stable checkpoint, round-robin, one at a time and only while the others still
     * reach a quorum. {@link Duration#ZERO} turns it off. The first one is due one period from now.
     *
     * @throws IllegalArgumentException if the period is negative or shorter than
     *     {@link io.resh.core.config.SupervisionConfig#MIN_REJUVENATION_PERIOD}
     */
    public void setRejuvenationPeriod(Duration period) {
        String problem = io.resh.core.config.SupervisionConfig.rejuvenationProblem(period);
        if (problem != null) {
            throw new IllegalArgumentException("rejuvenation period: " + problem);
        }
        onLoop(() -> {
            loop.setRejuvenationPeriod(period);
            return null;
        });
    }

    /** True once the group was closed, or is being stopped because the JVM exits: it answers nothing more. */
    public boolean isClosed() {
        return closed;
    }

    /** The newest stable checkpoint (sequence, digest, snapshot bytes); {@link Checkpoint#INITIAL} before the first. */
    public Checkpoint stableCheckpoint() {
        return onLoop(loop::stableCheckpoint);
    }

    public GroupConfig config() {
        return config;
    }

    /**
     * Where replica logs are written: {@code replica-N.log}. A temporary one is gone after a {@link #close}
     * that saw no fault.
     */
    public Path workDir() {
        return workDir.path();
    }

    public Path replicaLog(int replica) {
        return loop.logFile(replica);
    }

    CompletableFuture<String> inject(int replica, InjectedFault fault, long arg) {
        return onLoop(() -> loop.inject(replica, fault, arg));
    }

    /** The group's state machine, for tests that corrupt its bookkeeping on purpose. */
    GroupLoop loop() {
        return loop;
    }

    /**
     * Runs {@code action} on the group's loop thread and waits for its result.
     *
     * @throws UnavailableException at once if the group is closed or its loop has stopped
     */
    <T> T onLoop(java.util.function.Supplier<T> action) {
        if (closed) {
            throw loop.closedException();
        }
        CompletableFuture<T> result = new CompletableFuture<>();
        loop.post(new GroupLoop.Task(() -> {
            try {
                result.complete(action.get());
            } catch (RuntimeException e) {
                result.completeExceptionally(e);
            }
        }, result::completeExceptionally));
        try {
            return result.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new ReshException("group action failed", e.getCause());
        } catch (TimeoutException e) {
            throw new UnavailableException("group " + config.name() + " loop did not respond within 30 s");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted");
        }
    }

    /**
     * Stops every replica and fails what is still pending, then deletes a temporary work directory if the
     * group saw no fault, or keeps it and logs one line that says where and why. Never throws. Idempotent.
     */
    @Override
    public void close() {
        closed = true;
        loop.stop();
        try {
            thread.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down
        }
        releaseWorkDirOnce();
    }

    private synchronized void releaseWorkDirOnce() {
        if (!workDirReleased) {
            workDirReleased = true;
            releaseWorkDir();
        }
    }

    private void releaseWorkDir() {
        try {
            String keep = reasonToKeepWorkDir();
            if (keep != null) {
                workDir.keep(keep);
            } else {
                workDir.delete();
            }
        } catch (RuntimeException e) {
            workDir.keep("after an error deciding whether to delete it: " + e);
        }
    }

    /**
     * Why the work directory must stay, or null to delete it. Waits for the loop thread (which started every
     * replica process) and then for every process and its reader thread to be gone, whether the directory
     * goes or stays: a replica whose start was under way (another's failed, or it replaces one that failed)
     * would otherwise create its directory and log in there after close returned, and its shared body file,
     * which its own thread deletes, would outlive a host that exits right after (resh serve on SIGTERM). What
     * is still running at the deadline keeps the directory.
     */
    private String reasonToKeepWorkDir() {
        String always = workDir.keptAnyway();
        if (thread.isAlive()) {
            return always != null ? always
                    : "for post-mortem: the group loop did not stop within " + CLOSE_WAIT.toSeconds() + " s";
        }
        List<String> running = loop.awaitIncarnationsGone(CLOSE_WAIT);
        if (always != null) {
            return always;
        }
        if (startFailed) {
            return "for post-mortem: the group did not start";
        }
        String faults = loop.faultSummary(); // the loop thread has ended: its state is ours to read
        if (faults != null) {
            return "for post-mortem: " + faults;
        }
        if (!running.isEmpty()) {
            return "because " + String.join(", ", running) + " had not exited " + CLOSE_WAIT.toSeconds()
                    + " s after close and may still write there";
        }
        return null;
    }

    /**
     * The JVM is exiting without {@link #close}: ask the loop to stop its replicas, give it a moment, then
     * kill every replica process still alive, and their children (a sandbox's), so that none outlives the
     * host: a SIGSTOPped replica never reads the shutdown frame, and the JVM does not wait for the loop.
     */
    private void stopOnExit() {
        closed = true;
        loop.stop();
        try {
            thread.join(EXIT_GRACE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (ProcessHandle p : loop.launchedProcesses()) {
            if (p.isAlive()) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        }
        // The loop ends soon once its processes are gone; it may have been waiting for replicas that never said
        // hello (Ctrl-C during start-up), and a loop still running would keep the directory as "did not stop".
        try {
            thread.join(CLOSE_WAIT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        // As close() would: a temporary directory of a group that saw no fault goes, the others are named.
        // Synchronized with close(), so a caller that closes the group from its own exit hook (resh serve)
        // returns only once this line is logged.
        releaseWorkDirOnce();
    }
}

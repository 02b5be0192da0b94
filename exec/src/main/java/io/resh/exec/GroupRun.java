package io.resh.exec;

import io.resh.core.Ballot;
import io.resh.core.Durations;
import io.resh.core.FaultKind;
import io.resh.core.FileErrors;
import io.resh.core.Quorum;
import io.resh.core.StreamVoter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;

/**
 * One attempt: starts every replica in its own work directory, streams the voted stdout and
 * stderr while they run, kills replicas that pass the deadline, then votes on exit codes and
 * output files and places the voted files.
 */
final class GroupRun {
    /** How long killed processes may take to die, and readers of killed replicas to see their pipes close. */
    private static final long KILL_GRACE_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int OUTPUT_CLOSED_EVENT = -1;
    /** How often running replicas are looked at for one that stays stopped, and how long it must stay so. */
    private static final long STOP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(200);
    private static final long STOP_GRACE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    private final ExecPlan plan;
    private final ExecOptions options;
    private final Quorum quorum;
    private final int number;
    private final ReleasedSink outSink;
    private final ReleasedSink errSink;

    /** Set by the shutdown hook that killed the replicas: the JVM is exiting, as on Ctrl-C or SIGTERM. */
    private volatile boolean killedOnExit;

    GroupRun(ExecPlan plan, int number, ReleasedSink outSink, ReleasedSink errSink) {
        this.plan = plan;
        this.options = plan.options();
        this.quorum = options.quorum();
        this.number = number;
        this.outSink = outSink;
        this.errSink = errSink;
    }

    ExecResult.Attempt run() throws InterruptedException {
        long started = System.nanoTime();
        long deadline = options.timeout() == null ? Long.MAX_VALUE : started + options.timeout().toNanos();
        int n = plan.replicas();
        BlockingQueue<Integer> events = new LinkedBlockingQueue<>();
        outSink.onBroken(() -> events.offer(OUTPUT_CLOSED_EVENT));
        errSink.onBroken(() -> events.offer(OUTPUT_CLOSED_EVENT));
        VotedStream stdout = new VotedStream("stdout", quorum, outSink, options.streamWindow());
        // Only stdout holds fast replicas back. If stderr did too, a replica ahead on stdout and another
        // ahead on stderr could each wait for the other forever; stderr is small in practice.
        VotedStream stderrVote = options.ignoreStderr() ? null
                : new VotedStream("stderr", quorum, errSink, Long.MAX_VALUE);
        StreamTarget stderr = stderrVote != null ? stderrVote : new StderrPassthrough(errSink);
        List<ReplicaRun> runs = new CopyOnWriteArrayList<>();
        String runId = UUID.randomUUID().toString();
        // Registered before the work directories exist: creating them can take seconds (a link to each entry of a
        // large start directory, per replica), and a signal meanwhile left them all behind.
        AtomicReference<Workspace> created = new AtomicReference<>();
        CountDownLatch creation = new CountDownLatch(1);
        Thread killOnExit = new Thread(() -> {
            // Stopped, not finished: what the killed replicas leave is not voted as their result, and no
            // output file of theirs is placed.
            killedOnExit = true;
            runs.forEach(ReplicaRun::markStopped);
            runs.forEach(ReplicaRun::kill);
            try {
                creation.await(KILL_GRACE_NANOS, TimeUnit.NANOSECONDS); // it stops early, seeing killedOnExit
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            Workspace workspace = created.get();
            if (workspace != null) {
                workspace.delete();
            }
        }, "resh-exec-kill-replicas");
        try {
            Runtime.getRuntime().addShutdownHook(killOnExit);
        } catch (IllegalStateException e) {
            // The signal came while the run was being prepared (bwrap's probe, taskset): start nothing.
            killedOnExit = true;
            return vote(runs, stdout, stderrVote, false, started, null);
        }
        Workspace made;
        try {
            made = Workspace.create(plan, () -> killedOnExit);
            created.set(made);
        } catch (RuntimeException e) {
            removeHook(killOnExit);
            throw e;
        } finally {
            creation.countDown();
        }
        try (Workspace workspace = made;
             StdinWatch input = StdinWatch.before(options.stdin())) {
            try {
                for (int r = 0; r < n && !killedOnExit; r++) {
                    Path dir = workspace.dir(r);
                    ReplicaRun replica = new ReplicaRun(r, n, plan.argv(r, dir), dir, plan.coreOf(r), runId);
                    runs.add(replica);
                    int index = r;
                    if (!replica.start(options.stdin(), workspace.pipe(r, "stdout"), workspace.pipe(r, "stderr"),
                            stdout, stderr, () -> events.offer(index))) {
                        stdout.exclude(r);
                        stderr.exclude(r);
                    }
                }
                if (input != null) {
                    input.started();
                }
                boolean outputClosed = awaitExits(runs, events, deadline, stdout, stderr);
                awaitOutputs(runs, deadline, stdout, stderr);
                return vote(runs, stdout, stderrVote, outputClosed, started, input == null ? null : input.change());
            } finally {
                runs.forEach(run -> {
                    if (run.alive()) {
                        run.kill();
                    }
                });
            }
        } finally {
            removeHook(killOnExit);
        }
    }

    /**
     * Waits until every replica exited, killing the ones still running at the deadline.
     *
     * @return true if resh's output was closed and the replicas were stopped for it
     */
    private boolean awaitExits(List<ReplicaRun> runs, BlockingQueue<Integer> events, long deadline,
                               StreamTarget stdout, StreamTarget stderr) throws InterruptedException {
        while (runs.stream().anyMatch(ReplicaRun::alive)) {
            if (outSink.broken() || errSink.broken()) {
                // Nobody reads the result any more: stop everyone, and blame no one for the cut-off streams.
                for (ReplicaRun run : runs) {
                    run.markStopped();
                    stdout.exclude(run.index());
                    stderr.exclude(run.index());
                }
                killAll(runs);
                return true;
            }
            long left = deadline == Long.MAX_VALUE ? TimeUnit.DAYS.toNanos(1) : deadline - System.nanoTime();
            if (left <= 0) {
                for (ReplicaRun run : runs) {
                    if (run.alive()) {
                        // Exclude before killing, so the truncated output does not count as an early end.
                        run.markTimedOut();
                        stdout.exclude(run.index());
                        stderr.exclude(run.index());
                        run.kill();
                    }
                }
                awaitDeath(runs);
                return false;
            }
            events.poll(Math.min(left, STOP_CHECK_NANOS), TimeUnit.NANOSECONDS);
            long now = System.nanoTime();
            ProcessState.Table processes = ProcessState.read();
            for (ReplicaRun run : runs) {
                if (!run.killed() && run.staysStopped(processes, now, STOP_GRACE_NANOS)) {
                    run.markStoppedByTerminal();
                    stdout.exclude(run.index());
                    stderr.exclude(run.index());
                    run.kill();
                }
            }
        }
        return outSink.broken() || errSink.broken();
    }

    /**
     * Waits for every replica's readers to reach the end of its output. A replica whose output is still held open
     * past the deadline by something it left behind is counted stuck, excluded and killed with what it started.
     */
    private static void awaitOutputs(List<ReplicaRun> runs, long deadline, StreamTarget stdout, StreamTarget stderr)
            throws InterruptedException {
        // Starts when first needed, after the kills or the deadline: never runs out before it began.
        long graceEnd = 0;
        boolean graceStarted = false;
        for (ReplicaRun run : runs) {
            if (!run.started()) {
                continue;
            }
            if (run.killed()) {
                // Already excluded; its processes are dead, so its readers see the end at once. The grace only
                // bounds the wait for a process that cleared its environment and so escaped the kill.
                if (!graceStarted) {
                    graceEnd = System.nanoTime() + KILL_GRACE_NANOS;
                    graceStarted = true;
                }
                run.awaitReaders(graceEnd);
                continue;
            }
            if (run.awaitReaders(deadline)) {
                continue;
            }
            // Past the deadline. If none of the replica's processes is left, its readers are only finishing what
            // is already in the pipes (they may have been held back by a replica killed at the deadline): that
            // gets the grace. A process it left behind that still holds the output open is stuck, and waiting
            // for it would only let it run past --timeout.
            if (!run.processesLeft()) {
                if (!graceStarted) {
                    graceEnd = System.nanoTime() + KILL_GRACE_NANOS;
                    graceStarted = true;
                }
                if (run.awaitReaders(graceEnd)) {
                    continue;
                }
            }
            run.markStuckOutput();
            stdout.exclude(run.index());
            stderr.exclude(run.index());
            run.kill();
        }
    }

    private static void killAll(List<ReplicaRun> runs) throws InterruptedException {
        runs.forEach(ReplicaRun::kill);
        awaitDeath(runs);
    }

    /** Killed processes are gone once this returns (or the grace period passed). */
    private static void awaitDeath(List<ReplicaRun> runs) throws InterruptedException {
        long deadline = System.nanoTime() + KILL_GRACE_NANOS;
        for (ReplicaRun run : runs) {
            run.awaitExit(deadline);
        }
    }

    /** @param stdinChanged what changed in the stdin file while the replicas ran, or null */
    private ExecResult.Attempt vote(List<ReplicaRun> runs, VotedStream stdout, VotedStream stderr,
                                    boolean outputClosed, long started, String stdinChanged) {
        List<ExecResult.Fault> faults = new ArrayList<>();
        for (ReplicaRun run : runs) {
            faults.addAll(processFaults(run));
        }
        faults.addAll(streamFaults(stdout, runs));
        if (stderr != null) {
            faults.addAll(streamFaults(stderr, runs));
        }
        List<ReplicaRun> completed = runs.stream().filter(ReplicaRun::completed).toList();
        Ballot exitVote = new Ballot(quorum);
        for (ReplicaRun run : completed) {
            exitVote.cast(run.index(), ByteBuffer.allocate(4).putInt(run.exitCode()).array(), completed.size());
        }
        Integer votedExit = exitVote.isDecided() ? ByteBuffer.wrap(exitVote.decided()).getInt() : null;
        faults.addAll(exitFaults(exitVote, votedExit, completed));
        List<OutputVote> outputs = new ArrayList<>();
        for (Path file : options.outputs()) {
            OutputVote vote = OutputVote.of(file, quorum, runs);
            outputs.add(vote);
            faults.addAll(vote.faults());
        }

        List<String> disagreements = new ArrayList<>();
        if (!stdout.agreed()) {
            disagreements.add("stdout differs at byte " + stdout.released());
        }
        if (stderr != null && !stderr.agreed()) {
            disagreements.add("stderr differs at byte " + stderr.released());
        }
        if (votedExit == null && !completed.isEmpty()) {
            disagreements.add("exit codes differ (" + exitCodes(completed) + ")");
        }
        for (OutputVote vote : outputs) {
            if (!vote.agreed() && vote.disagreement() != null) {
                disagreements.add(vote.disagreement());
            }
        }
        if (disagreements.isEmpty() && votedExit != null && stdinChanged == null) {
            // Each part can have its own f+1 (stdout from replicas 2 and 3, the exit code from 0 and 1): the whole
            // result was then produced by fewer than f+1 replicas, and may be one that no replica produced at all.
            List<Integer> whole = runs.stream().map(ReplicaRun::index)
                    .filter(r -> faults.stream().noneMatch(f -> f.replica() == r)).toList();
            if (whole.size() < quorum.agreementNeeded()) {
                disagreements.add("the voted parts came from different replicas ("
                        + (whole.isEmpty() ? "none produced all of them"
                            : "only " + (whole.size() == 1 ? "replica " : "replicas ") + whole.stream()
                                .map(String::valueOf).collect(Collectors.joining(", ")) + " produced all of them")
                        + "; " + quorum.agreementNeeded() + " must)");
            } else if (whole.size() * 2 <= completed.size()) {
                // An even number finished, split in halves (two against two of four): f+1 on each side, and nothing
                // to choose one by. The first half to reach f+1 was used, with a warning.
                disagreements.add("only " + whole.size() + " of the " + completed.size() + " replicas that finished"
                        + " produced the whole result, and as many did not; " + (completed.size() / 2 + 1) + " must");
            }
        }
        boolean finished = disagreements.isEmpty();
        if (outSink.contradictsShown(finished)) {
            disagreements.add("the re-run's stdout contradicts the " + outSink.shown()
                    + " bytes the first run already showed");
        }
        if (stderr != null && errSink.contradictsShown(finished)) {
            disagreements.add("the re-run's stderr contradicts what the first run already showed");
        }

        // A minority that read the stdin file before a change and a majority that read it after: the vote tells the
        // input's change, not a faulty replica, so the majority's result is no more right than the minority's.
        List<ExecResult.Fault> inputDivergences = stdinChanged == null ? List.of()
                : faults.stream().filter(f -> f.kind() == FaultKind.DIVERGENCE).toList();
        ExecResult.Verdict verdict;
        String reason;
        if (killedOnExit) {
            // Not "timed-out": there may be no --timeout at all. Nor a failed vote --retry would run again while the
            // JVM exits, which refuses the next attempt's shutdown hook with a stack trace and no report.
            verdict = ExecResult.Verdict.INTERRUPTED;
            reason = "interrupted; the replicas were killed";
        } else if (outputClosed || outSink.broken() || errSink.broken()) {
            // Even if the replicas finished, the client did not get the whole voted result.
            verdict = ExecResult.Verdict.OUTPUT_CLOSED;
            String failure = outSink.failure() != null ? outSink.failure() : errSink.failure();
            reason = (failure != null ? failure : "resh's output was closed") + "; the replicas were stopped";
        } else if (disagreements.isEmpty() && votedExit != null && inputDivergences.isEmpty()) {
            verdict = ExecResult.Verdict.AGREED;
            reason = "";
        } else if (completed.size() < quorum.agreementNeeded()) {
            verdict = ExecResult.Verdict.TIMED_OUT;
            long hung = runs.stream().filter(ReplicaRun::timedOut).count();
            // Exited in time, but a process they started held their output open: not "still running".
            long heldOpen = runs.stream().filter(r -> !r.timedOut() && r.stuckOutput()).count();
            long stoppedByTerminal = runs.stream().filter(ReplicaRun::stoppedByTerminal).count();
            String deadline = options.timeout() == null ? "" : "--timeout " + Durations.format(options.timeout());
            reason = "only " + completed.size() + " of " + runs.size() + " replicas finished"
                    + (hung > 0 && options.timeout() != null ? " (" + hung + " still running after " + deadline + ")"
                        : "")
                    + (heldOpen > 0 && options.timeout() != null
                        ? " (" + heldOpen + " exited, but a process " + (heldOpen == 1 ? "it" : "each")
                            + " started held its output open past " + deadline + ")"
                        : "")
                    + (stoppedByTerminal > 0 && ProcessState.reshHasTerminal()
                        ? " (" + stoppedByTerminal + " stopped, most likely by reading the terminal, which replicas"
                            + " cannot)"
                        : "")
                    + (stoppedByTerminal > 0 && !ProcessState.reshHasTerminal()
                        ? " (" + stoppedByTerminal + " stopped by a signal from outside)"
                        : "")
                    + "; " + quorum.agreementNeeded() + " must agree";
        } else if (stdinChanged != null) {
            // Replicas that read different input are expected to disagree: that says nothing about them.
            verdict = ExecResult.Verdict.INPUT_CHANGED;
            reason = stdinChanged + ", so the replicas need not have read the same input, and their disagreement ("
                    + (disagreements.isEmpty() ? minorityDisagreement(inputDivergences) : String.join("; ", disagreements))
                    + ") is not held against them; " + ExecResult.STDIN_ADVICE;
        } else {
            verdict = ExecResult.Verdict.NO_MAJORITY;
            reason = (quorum.detectOnly() ? "the two replicas disagree: " : "no majority: ")
                    + String.join("; ", disagreements);
        }

        List<ExecResult.OutputFile> files = new ArrayList<>();
        for (OutputVote vote : outputs) {
            boolean placed = false;
            if (verdict == ExecResult.Verdict.AGREED) {
                try {
                    placed = vote.place(plan.startDir(), options.keepWorkDirs());
                } catch (IOException e) {
                    // Not "no majority": the replicas agreed, and only resh failed to deliver their result. The
                    // outputs after this one are not placed either, as for a failed vote.
                    verdict = ExecResult.Verdict.OUTPUT_NOT_PLACED;
                    reason = "--output " + vote.file() + ": the replicas agreed, but the voted copy could not be"
                            + " placed: " + FileErrors.describe(e) + (options.keepWorkDirs()
                                ? "; it is kept in " + vote.votedCopy() : "");
                }
            }
            files.add(new ExecResult.OutputFile(vote.file(), vote.agreed(), vote.votedSha256(), placed, vote.directory()));
        }

        List<ExecResult.Replica> replicas = new ArrayList<>();
        for (ReplicaRun run : runs) {
            replicas.add(new ExecResult.Replica(run.index(), plan.command(run.index()), run.core(), run.pid(),
                    run.workDir(), run.exitCode(), run.timedOut() || run.stuckOutput(), run.startError(),
                    run.durationMillis(), digest(run.stdout()), digest(run.stderr()),
                    OutputVote.digestsOf(run.index(), outputs)));
        }
        ExecResult.Channel out = new ExecResult.Channel("stdout", true, stdout.agreed(), stdout.released(),
                stdout.retainedHighWater());
        ExecResult.Channel err = stderr == null ? new ExecResult.Channel("stderr", false, false, 0, 0)
                : new ExecResult.Channel("stderr", true, stderr.agreed(), stderr.released(), stderr.retainedHighWater());
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        return new ExecResult.Attempt(number, verdict, reason, votedExit, millis, out, err, files, replicas, faults,
                stdinChanged);
    }

    private List<ExecResult.Fault> processFaults(ReplicaRun run) {
        int r = run.index();
        if (!run.started()) {
            return List.of(new ExecResult.Fault(r, run.core(), FaultKind.START_FAILURE, "process", -1,
                    "replica " + r + " could not start: " + run.startError()));
        }
        if (run.timedOut()) {
            return List.of(new ExecResult.Fault(r, run.core(), FaultKind.HANG, "process", -1,
                    "replica " + r + " was still running after --timeout "
                            + Durations.format(options.timeout()) + " and was killed"));
        }
        if (run.stoppedByTerminal()) {
            // Without a terminal, the password prompt this guessed at is impossible, and misled whoever had sent the
            // replica a SIGSTOP (a fault injection, a debugger).
            return List.of(new ExecResult.Fault(r, run.core(), FaultKind.HANG, "process", -1, "replica " + r
                    + (ProcessState.reshHasTerminal()
                        ? " was stopped, most likely by reading the terminal (a password prompt?), which a replica in"
                            + " resh's background process group cannot; killed"
                        : " was stopped by a signal from outside (SIGSTOP, SIGTSTP) and stayed stopped; killed")));
        }
        if (run.stuckOutput()) {
            return List.of(new ExecResult.Fault(r, run.core(), FaultKind.HANG, "process", -1,
                    "replica " + r + " exited but something it started kept its output open past the deadline;"
                            + " killed"));
        }
        return List.of();
    }

    /** What the replicas outvoted did differently, without calling them faulty: "replica 0's stdout differs at byte 6". */
    private static String minorityDisagreement(List<ExecResult.Fault> divergences) {
        List<String> parts = new ArrayList<>();
        for (ExecResult.Fault f : divergences) {
            String what = "exit".equals(f.channel()) ? "exit code"
                    : f.channel().startsWith("output:") ? "copy of --output " + f.channel().substring("output:".length())
                    : f.channel();
            String part = "replica " + f.replica() + "'s " + what + " differs from the majority's"
                    + (f.offset() >= 0 ? " at byte " + f.offset() : "");
            if (!parts.contains(part)) {
                parts.add(part);
            }
        }
        return String.join("; ", parts);
    }

    private static List<ExecResult.Fault> streamFaults(VotedStream stream, List<ReplicaRun> runs) {
        List<ExecResult.Fault> faults = new ArrayList<>();
        for (StreamVoter.Divergence d : stream.divergences()) {
            faults.add(new ExecResult.Fault(d.replica(), runs.get(d.replica()).core(), FaultKind.DIVERGENCE,
                    stream.channel(), d.offset(), d.description()));
        }
        return faults;
    }

    private static List<ExecResult.Fault> exitFaults(Ballot vote, Integer voted, List<ReplicaRun> completed) {
        List<ExecResult.Fault> faults = new ArrayList<>();
        if (voted != null) {
            for (int r : vote.dissenters()) {
                ReplicaRun run = completed.stream().filter(c -> c.index() == r).findFirst().orElseThrow();
                faults.add(new ExecResult.Fault(r, run.core(), FaultKind.DIVERGENCE, "exit", -1,
                        "replica " + r + " exited " + run.exitCode() + ", the majority exited " + voted));
            }
            return faults;
        }
        ReplicaRun ref = completed.isEmpty() ? null : completed.get(0);
        for (ReplicaRun run : completed) {
            if (run != ref && !run.exitCode().equals(ref.exitCode())) {
                faults.add(new ExecResult.Fault(run.index(), run.core(), FaultKind.DIVERGENCE, "exit", -1,
                        "replica " + run.index() + " exited " + run.exitCode() + ", replica " + ref.index()
                                + " exited " + ref.exitCode() + " (no majority)"));
            }
        }
        return faults;
    }

    private static String exitCodes(List<ReplicaRun> completed) {
        List<String> parts = new ArrayList<>();
        for (ReplicaRun run : completed) {
            parts.add("replica " + run.index() + ": " + run.exitCode());
        }
        return String.join(", ", parts);
    }

    private static ExecResult.StreamDigest digest(StreamPump pump) {
        return pump == null ? null : new ExecResult.StreamDigest(pump.bytes(), pump.sha256());
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down; the hook is running and kills the replicas.
        }
    }
}

package io.resh.exec;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One replica's process: started in its work directory with the shared stdin, its stdout and
 * stderr read by two {@link StreamPump} threads, killed (with everything it spawned) on timeout.
 */
final class ReplicaRun {
    /** Environment variable that tells a replica its index (0-based). */
    static final String REPLICA_ENV = "RESH_REPLICA";
    /** Environment variable that tells a replica how many replicas run. */
    static final String REPLICAS_ENV = "RESH_REPLICAS";
    private static final int KILL_PASSES = 3;

    private final int index;
    private final int replicas;
    private final List<String> argv;
    private final Path workDir;
    private final int core;
    private final String run;
    private final ReplicaMark mark;
    private Process process;
    private StreamPump stdout;
    private StreamPump stderr;
    private Thread stdoutThread;
    private Thread stderrThread;
    private long startNanos;
    private volatile long endNanos;
    private volatile boolean timedOut;
    private volatile boolean stuckOutput;
    private volatile boolean stopped;
    private volatile boolean stoppedByTerminal;
    /** When the main process or a descendant was first seen stopped (state T) in a row of checks; 0 while none is. */
    private long stoppedSinceNanos;
    private String startError;

    /** @param run a value unique to this run of the group, which marks the processes of its replicas */
    ReplicaRun(int index, int replicas, List<String> argv, Path workDir, int core, String run) {
        this.index = index;
        this.replicas = replicas;
        this.argv = argv;
        this.workDir = workDir;
        this.core = core;
        this.run = run;
        this.mark = new ReplicaMark(run, index);
    }

    /**
     * Starts the process and its readers. On failure records why and returns false; nothing is left open.
     *
     * @param stdin the file to read as stdin, or null for an empty stdin
     * @param outPipe the named pipe to carry the replica's stdout (see {@link OutputPipe})
     * @param errPipe the same for stderr
     * @param onExit called (on another thread) when the process exits
     */
    boolean start(Path stdin, Path outPipe, Path errPipe, StreamTarget out, StreamTarget err, Runnable onExit) {
        ProcessBuilder builder = new ProcessBuilder(argv).directory(workDir.toFile());
        builder.environment().put(REPLICA_ENV, Integer.toString(index));
        builder.environment().put(REPLICAS_ENV, Integer.toString(replicas));
        builder.environment().put(ReplicaMark.RUN_ENV, run);
        builder.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        startNanos = System.nanoTime();
        try (OutputPipe outRead = OutputPipe.open(outPipe); OutputPipe errRead = OutputPipe.open(errPipe)) {
            builder.redirectOutput(outRead.redirect()).redirectError(errRead.redirect());
            process = builder.start();
            stdout = new StreamPump(index, outRead.started(), out);
            stderr = new StreamPump(index, errRead.started(), err);
        } catch (IOException e) {
            startError = e.getMessage();
            endNanos = System.nanoTime();
            return false;
        }
        stdoutThread = reader(stdout, "stdout");
        stderrThread = reader(stderr, "stderr");
        process.onExit().thenRun(() -> {
            endNanos = System.nanoTime();
            onExit.run();
        });
        return true;
    }

    private Thread reader(StreamPump pump, String name) {
        Thread t = new Thread(pump, "resh-exec-replica-" + index + "-" + name);
        // A reader stuck on a pipe held open by a process resh could not kill must not keep resh alive.
        t.setDaemon(true);
        t.start();
        return t;
    }

    boolean started() {
        return process != null;
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    /**
     * Kills the process and every process it spawned, also those that left its tree (found by their mark).
     * A few passes, because a marked process may fork once more while the previous pass kills it.
     */
    void kill() {
        if (process == null) {
            return;
        }
        List<ProcessHandle> spawned = process.descendants().toList();
        process.destroyForcibly();
        spawned.forEach(ProcessHandle::destroyForcibly);
        for (int pass = 0; pass < KILL_PASSES; pass++) {
            List<ProcessHandle> marked = mark.processes();
            if (marked.isEmpty()) {
                break;
            }
            marked.forEach(ProcessHandle::destroyForcibly);
        }
    }

    /** Waits (at most until {@code deadlineNanos}) for the process to be gone, e.g. after {@link #kill()}. */
    void awaitExit(long deadlineNanos) throws InterruptedException {
        if (process != null) {
            process.waitFor(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
    }

    /** True if any process of the replica is alive: its main one, or one it started that carries its mark. */
    boolean processesLeft() {
        return alive() || !mark.processes().isEmpty();
    }

    /** resh stopped the replica (its own output was closed): its result does not count. */
    void markStopped() {
        stopped = true;
    }

    void markTimedOut() {
        timedOut = true;
    }

    /**
     * True once the main process, or a process it started, has been seen stopped (state {@code T}) on checks at
     * least {@code graceNanos} apart. A replica runs in a background process group of resh's terminal, so a
     * program that reads it (a password prompt) is stopped by SIGTTIN, with its whole group, for good; a child
     * in a process group of its own is stopped alone while the replica waits for it. Without this resh would wait
     * for --timeout, or forever.
     */
    boolean staysStopped(ProcessState.Table processes, long nowNanos, long graceNanos) {
        if (process == null || !process.isAlive() || !processes.stoppedWithin(process.pid())) {
            stoppedSinceNanos = 0;
            return false;
        }
        if (stoppedSinceNanos == 0) {
            stoppedSinceNanos = nowNanos;
        }
        return nowNanos - stoppedSinceNanos >= graceNanos;
    }

    /** resh killed the replica because it stayed stopped, most likely by reading the terminal. */
    void markStoppedByTerminal() {
        stoppedByTerminal = true;
    }

    boolean stoppedByTerminal() {
        return stoppedByTerminal;
    }

    /** The process exited but something it left behind kept its output open past the deadline. */
    void markStuckOutput() {
        stuckOutput = true;
    }

    /**
     * Waits for both readers to reach the end of their streams.
     *
     * @return false if they were still reading at {@code deadlineNanos}
     */
    boolean awaitReaders(long deadlineNanos) throws InterruptedException {
        for (Thread t : new Thread[] {stdoutThread, stderrThread}) {
            if (t == null) {
                continue;
            }
            if (deadlineNanos == Long.MAX_VALUE) {
                t.join();
            } else {
                long left = deadlineNanos - System.nanoTime();
                if (left > 0) {
                    TimeUnit.NANOSECONDS.timedJoin(t, left);
                }
                if (t.isAlive()) {
                    return false;
                }
            }
        }
        return true;
    }

    /** resh killed the replica (at the deadline, or because its own output was closed). */
    boolean killed() {
        return timedOut || stopped || stoppedByTerminal;
    }

    /** True if the replica ran to completion and its result counts. */
    boolean completed() {
        return process != null && !process.isAlive() && !timedOut && !stuckOutput && !stopped && !stoppedByTerminal;
    }

    int index() {
        return index;
    }

    int core() {
        return core;
    }

    Path workDir() {
        return workDir;
    }

    boolean timedOut() {
        return timedOut;
    }

    boolean stuckOutput() {
        return stuckOutput;
    }

    String startError() {
        return startError;
    }

    long pid() {
        return process == null ? -1 : process.pid();
    }

    /** The exit code, or null if the process did not complete on its own. */
    Integer exitCode() {
        return completed() ? process.exitValue() : null;
    }

    long durationMillis() {
        long end = endNanos == 0 ? System.nanoTime() : endNanos;
        return TimeUnit.NANOSECONDS.toMillis(end - startNanos);
    }

    StreamPump stdout() {
        return stdout;
    }

    StreamPump stderr() {
        return stderr;
    }
}

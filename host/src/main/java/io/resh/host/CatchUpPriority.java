package io.resh.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A replacement replica starts at a lower CPU priority and gets the normal one back once it caught up.
 * Its JVM start, snapshot restore and replay otherwise take a core from the replicas that are serving
 * clients meanwhile; the serving majority answers every request, so the newcomer can wait.
 *
 * <p>By default the newcomer runs under the {@code SCHED_IDLE} policy ({@code chrt --idle 0}): a serving
 * replica or host thread that wakes up preempts it at once. A positive niceness alone does not: the
 * scheduler may let the niced newcomer finish its time slice first, up to a scheduler tick (4 ms at 250
 * Hz) per hop of every request, which is what kept the client p99 high while a replica caught up. The
 * system property {@value #SCHEDULING_PROPERTY} = {@code nice} uses {@code nice -n} instead.
 *
 * <p>Only used where the priority can be given back: raising it again needs {@code CAP_SYS_NICE} (an
 * ordinary user may lower its priority, not raise it), and a replica left at low priority would fall
 * behind for good under load. The system property {@value #PROPERTY} is the niceness for {@code nice}
 * (default {@value #DEFAULT_NICENESS}); 0 turns the catch-up priority off with either policy.
 */
final class CatchUpPriority {
    static final String PROPERTY = "resh.replica.catchUpNiceness";
    static final int DEFAULT_NICENESS = 10;
    static final String SCHEDULING_PROPERTY = "resh.replica.catchUpScheduling";
    static final String WARM_UP_PROPERTY = "resh.replica.warmUpMillis";
    static final long DEFAULT_WARM_UP_MILLIS = 5000;
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpPriority.class);
    /** CAP_SYS_NICE's bit in /proc/self/status's CapEff. */
    private static final int CAP_SYS_NICE = 23;
    private static final String NICE = Binaries.which("nice").orElse(null);
    private static final String RENICE = Binaries.which("renice").orElse(null);
    private static final String CHRT = Binaries.which("chrt").orElse(null);
    private static final boolean MAY_RAISE = mayRaise();
    /** Field 19 of /proc/PID/task/TID/stat: the niceness. */
    private static final int NICE_FIELD = 19;
    /** Field 41 of /proc/PID/task/TID/stat: the scheduling policy (0 SCHED_OTHER, 5 SCHED_IDLE). */
    private static final int POLICY_FIELD = 41;

    private CatchUpPriority() {
    }

    /**
     * How long a replacement keeps the catch-up priority after it caught up (system property {@value
     * #WARM_UP_PROPERTY}, milliseconds, default {@value #DEFAULT_WARM_UP_MILLIS}): its JIT compiles the request
     * path meanwhile, and at normal priority those compiler threads hold the cores the serving replicas and
     * the host need (client p99 1.5–4 ms for a second or more after a rejoin on two cores).
     */
    static long warmUpNanos() {
        return TimeUnit.MILLISECONDS.toNanos(TuningProperty.number(WARM_UP_PROPERTY, DEFAULT_WARM_UP_MILLIS, 0, 3_600_000));
    }

    static int niceness() {
        return (int) TuningProperty.number(PROPERTY, DEFAULT_NICENESS, 0, 19);
    }

    /** {@code SCHED_IDLE} (the default) rather than a niceness. */
    static boolean idlePolicy() {
        return !"nice".equals(TuningProperty.choice(SCHEDULING_PROPERTY, "idle", java.util.List.of("idle", "nice")));
    }

    /** True when replacements start at low priority here: the tools installed, not turned off, and the right to undo it. */
    static boolean available() {
        boolean tools = idlePolicy() ? CHRT != null : NICE != null && RENICE != null;
        return tools && MAY_RAISE && niceness() > 0;
    }

    /** The command prefix that starts the rest at the catch-up priority. */
    static List<String> prefix() {
        return idlePolicy() ? List.of(CHRT, "--idle", "0") : List.of(NICE, "-n", Integer.toString(niceness()));
    }

    /**
     * Gives every thread of {@code pid} and of its descendants (a sandboxed JVM runs under bwrap) the
     * normal priority back. Runs on its own thread: starting {@code chrt} or {@code renice} takes
     * milliseconds the group loop must not wait.
     */
    static void restore(long pid) {
        Thread t = new Thread(() -> {
            String error = normal(pid);
            if (error != null) {
                LOG.warn("replica pid {} keeps its catch-up priority: {}", pid, error);
            }
        }, "resh-renice-" + pid);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Threads inherit their creator's policy and niceness, so a thread the JVM starts while the others are
     * being reset (a compiler or GC worker started on demand) would keep the catch-up priority for good.
     * Reset until no thread is left behind (a few rounds at most: once every thread is normal, new ones
     * are too).
     */
    private static String normal(long pid) {
        boolean idle = idlePolicy();
        if (idle) {
            for (long p : processes(pid)) {
                // --all-tasks: the policy is per thread; one call resets every thread there is now
                String error = run(List.of(CHRT, "--all-tasks", "--other", "--pid", "0", Long.toString(p)), pid);
                if (error != null) {
                    return error;
                }
            }
        }
        for (int round = 0; round < 10; round++) {
            List<String> behind = threadsBehind(pid, idle ? POLICY_FIELD : NICE_FIELD);
            if (behind.isEmpty()) {
                return null;
            }
            String error = idle ? resetPolicy(pid, behind) : run(renice(behind), pid);
            if (error != null) {
                return error;
            }
            try {
                Thread.sleep(50); // give threads started meanwhile a moment to appear in /proc
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        List<String> left = threadsBehind(pid, idle ? POLICY_FIELD : NICE_FIELD);
        return left.isEmpty() ? null : "threads " + left + " still at the catch-up priority after 10 rounds";
    }

    private static String resetPolicy(long pid, List<String> threads) {
        for (String tid : threads) {
            String error = run(List.of(CHRT, "--other", "--pid", "0", tid), pid);
            if (error != null) {
                return error;
            }
        }
        return null;
    }

    private static List<String> renice(List<String> threads) {
        List<String> cmd = new ArrayList<>(List.of(RENICE, "-n", "0", "-p"));
        cmd.addAll(threads);
        return cmd;
    }

    private static List<Long> processes(long pid) {
        List<Long> processes = new ArrayList<>();
        processes.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> processes.add(d.pid())));
        return processes;
    }

    /** Thread ids of {@code pid} and its descendants whose stat {@code field} is not 0 (or can't be read). */
    private static List<String> threadsBehind(long pid, int field) {
        List<String> out = new ArrayList<>();
        for (long p : processes(pid)) {
            // Niceness and policy are per thread on Linux: every thread of the JVM has its own.
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p), "task"))) {
                tasks.forEach(t -> {
                    if (statField(t, field) != 0) {
                        out.add(t.getFileName().toString());
                    }
                });
            } catch (IOException e) {
                // the process is gone
            }
        }
        return out;
    }

    /** A numeric field of /proc/PID/task/TID/stat (after the parenthesised name, which may hold spaces), or -1. */
    private static int statField(Path task, int field) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[field - 3]); // the state is field 3, the first after the name
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** Runs a priority tool; an error only if it was refused while the replica {@code pid} still lives. */
    private static String run(List<String> cmd, long pid) {
        String tool = Path.of(cmd.get(0)).getFileName().toString();
        try {
            Process r = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!r.waitFor(5, TimeUnit.SECONDS)) {
                r.destroyForcibly();
                return tool + " timed out";
            }
            String out = new String(r.getInputStream().readAllBytes()).trim();
            // A thread that ended between listing and the call makes the tool fail for it alone; the next round checks.
            return r.exitValue() == 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    || !out.contains("Permission denied") && !out.contains("Operation not permitted") ? null
                    : tool + " failed: " + out;
        } catch (IOException e) {
            return tool + " failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted";
        }
    }

    private static boolean mayRaise() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    long caps = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    return (caps & (1L << CAP_SYS_NICE)) != 0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or no /proc: stay at normal priority
        }
        return false;
    }
}

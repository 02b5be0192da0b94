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
 * A replacement replica starts at a lower CPU priority ({@code nice}) and gets the normal one back once
 * it caught up. Its JVM start, snapshot restore and replay otherwise take a core from the replicas that
 * are serving clients meanwhile; the serving majority answers every request, so the newcomer can wait.
 *
 * <p>Only used where the priority can be given back: raising it again needs {@code CAP_SYS_NICE} (an
 * ordinary user may lower its priority, not raise it), and a replica left at low priority would fall
 * behind for good under load. The niceness is the system property {@value #PROPERTY} (default
 * {@value #DEFAULT_NICENESS}; 0 turns it off).
 */
final class CatchUpPriority {
    static final String PROPERTY = "resh.replica.catchUpNiceness";
    static final int DEFAULT_NICENESS = 10;
    private static final Logger LOG = LoggerFactory.getLogger(CatchUpPriority.class);
    /** CAP_SYS_NICE's bit in /proc/self/status's CapEff. */
    private static final int CAP_SYS_NICE = 23;
    private static final String NICE = Binaries.which("nice").orElse(null);
    private static final String RENICE = Binaries.which("renice").orElse(null);
    private static final boolean MAY_RAISE = mayRaise();

    private CatchUpPriority() {
    }

    static int niceness() {
        return Integer.getInteger(PROPERTY, DEFAULT_NICENESS);
    }

    /** True when replacements start niced here: both tools installed, a niceness set, and the right to undo it. */
    static boolean available() {
        return NICE != null && RENICE != null && MAY_RAISE && niceness() > 0;
    }

    /** The command prefix that starts the rest at the catch-up niceness. */
    static List<String> prefix() {
        return List.of(NICE, "-n", Integer.toString(niceness()));
    }

    /**
     * Gives every thread of {@code pid} and of its descendants (a sandboxed JVM runs under bwrap) the
     * normal priority back. Runs on its own thread: starting {@code renice} takes milliseconds the group
     * loop must not wait.
     */
    static void restore(long pid) {
        Thread t = new Thread(() -> {
            String error = renice(pid);
            if (error != null) {
                LOG.warn("replica pid {} keeps its catch-up priority: {}", pid, error);
            }
        }, "resh-renice-" + pid);
        t.setDaemon(true);
        t.start();
    }

    /**
     * Threads inherit their creator's niceness, so a thread the JVM starts while the others are being
     * reniced (a compiler or GC worker started on demand) would keep the catch-up priority for good.
     * Renice until no thread is left behind (a few rounds at most: once every thread is at 0, new ones are too).
     */
    private static String renice(long pid) {
        String error = null;
        for (int round = 0; round < 10; round++) {
            List<String> behind = threadsNotAtNormalPriority(pid);
            if (behind.isEmpty()) {
                return null;
            }
            error = runRenice(pid, behind);
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
        List<String> left = threadsNotAtNormalPriority(pid);
        return left.isEmpty() ? null : "threads " + left + " still niced after 10 rounds";
    }

    /** Thread ids of {@code pid} and its descendants whose niceness is not 0 (all of them where /proc can't tell). */
    private static List<String> threadsNotAtNormalPriority(long pid) {
        List<Long> processes = new ArrayList<>();
        processes.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> processes.add(d.pid())));
        List<String> out = new ArrayList<>();
        for (long p : processes) {
            // Niceness is per thread on Linux: every thread of the JVM has its own.
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p), "task"))) {
                tasks.forEach(t -> {
                    if (niceOf(t) != 0) {
                        out.add(t.getFileName().toString());
                    }
                });
            } catch (IOException e) {
                // the process is gone
            }
        }
        return out;
    }

    /** Field 19 of /proc/PID/task/TID/stat (after the parenthesised name, which may hold spaces), or -1 if unreadable. */
    private static int niceOf(Path task) {
        try {
            String stat = Files.readString(task.resolve("stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(f[16]); // state is field 3, so nice (19) is the 17th after the name
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    private static String runRenice(long pid, List<String> threads) {
        List<String> cmd = new ArrayList<>(List.of(RENICE, "-n", "0", "-p"));
        cmd.addAll(threads);
        try {
            Process r = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!r.waitFor(5, TimeUnit.SECONDS)) {
                r.destroyForcibly();
                return "renice timed out";
            }
            String out = new String(r.getInputStream().readAllBytes()).trim();
            // A thread that ended between listing and renice makes renice fail for it alone; the next round checks.
            return r.exitValue() == 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
                    || !out.contains("Permission denied") ? null : "renice failed: " + out;
        } catch (IOException e) {
            return "renice failed: " + e.getMessage();
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

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

    private static String renice(long pid) {
        List<Long> processes = new ArrayList<>();
        processes.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> processes.add(d.pid())));
        List<String> cmd = new ArrayList<>(List.of(RENICE, "-n", "0", "-p"));
        for (long p : processes) {
            // Niceness is per thread on Linux: every thread of the JVM has its own.
            try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(p), "task"))) {
                tasks.forEach(t -> cmd.add(t.getFileName().toString()));
            } catch (IOException e) {
                cmd.add(Long.toString(p)); // gone, or no /proc: renice says which
            }
        }
        try {
            Process r = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            if (!r.waitFor(5, TimeUnit.SECONDS)) {
                r.destroyForcibly();
                return "renice timed out";
            }
            String out = new String(r.getInputStream().readAllBytes()).trim();
            return r.exitValue() == 0 || !ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? null
                    : "renice failed: " + out;
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

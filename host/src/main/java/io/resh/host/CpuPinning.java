package io.resh.host;

import io.resh.core.CpuList;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Core pinning through util-linux's {@code taskset}: at start (a command prefix) and of running replicas. */
final class CpuPinning {
    private static final String TASKSET = Binaries.which("taskset").orElse(null);
    private static final List<Integer> ALLOWED = readAllowed();

    private CpuPinning() {
    }

    static boolean available() {
        return TASKSET != null;
    }

    /** How many CPUs this process may run on. */
    static int cores() {
        return ALLOWED.size();
    }

    /**
     * The CPUs this process may run on, by the numbers {@code taskset} takes: its affinity from
     * /proc/self/status, which in a container limited to a CPU set need not be 0 to n-1. Where that cannot
     * be read, 0 to availableProcessors - 1.
     */
    static List<Integer> allowed() {
        return ALLOWED;
    }

    private static List<Integer> readAllowed() {
        List<String> status = List.of(); // not Linux: every CPU the JVM counts
        try {
            status = Files.readAllLines(Path.of("/proc/self/status"));
        } catch (IOException e) {
            // as above
        }
        return CpuList.allowedIn(status, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Moves every thread of the process {@code pid} and of its descendants (a sandboxed JVM runs under
     * bwrap) to core {@code cpu}. Returns null on success, otherwise why it failed.
     */
    static String repin(long pid, int cpu) {
        if (TASKSET == null) {
            return "taskset is not installed";
        }
        List<Long> pids = new ArrayList<>();
        pids.add(pid);
        ProcessHandle.of(pid).ifPresent(h -> h.descendants().forEach(d -> pids.add(d.pid())));
        for (long p : pids) {
            try {
                Process t = new ProcessBuilder(TASKSET, "-a", "-p", "-c", Integer.toString(cpu), Long.toString(p))
                        .redirectErrorStream(true).start();
                if (!t.waitFor(5, TimeUnit.SECONDS)) {
                    t.destroyForcibly();
                    return "taskset timed out on pid " + p;
                }
                String out = new String(t.getInputStream().readAllBytes()).trim();
                if (t.exitValue() != 0 && ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false)) {
                    return "taskset failed on pid " + p + ": " + out;
                }
            } catch (IOException e) {
                return "taskset failed on pid " + p + ": " + e.getMessage();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return "interrupted";
            }
        }
        return null;
    }
}

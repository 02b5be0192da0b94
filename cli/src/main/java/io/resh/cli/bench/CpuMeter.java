package io.resh.cli.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * CPU time consumed by this JVM (host, front door and load driver) plus a target's replica processes
 * and their descendants (a sandbox or {@code taskset} wrapper forks the JVM that does the work).
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS = osBean();

    private CpuMeter() {
    }

    /** A reading: nanoseconds of CPU so far, for this JVM and for the listed processes. */
    record Reading(long hostNanos, long replicaNanos) {
        Reading minus(Reading earlier) {
            return new Reading(hostNanos - earlier.hostNanos, replicaNanos - earlier.replicaNanos);
        }
    }

    static Reading read(List<Long> processes) {
        long host = OS == null ? 0 : OS.getProcessCpuTime();
        long replicas = 0;
        for (long pid : processes) {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isPresent()) {
                replicas += cpu(p.get());
                replicas += p.get().descendants().mapToLong(CpuMeter::cpu).sum();
            }
        }
        return new Reading(host, replicas);
    }

    /** CPU time of the listed processes and their descendants only, in nanoseconds. */
    static long processes(List<Long> pids) {
        return read(pids).replicaNanos();
    }

    private static long cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static com.sun.management.OperatingSystemMXBean osBean() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean b ? b : null;
    }
}

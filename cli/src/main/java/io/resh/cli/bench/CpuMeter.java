package io.resh.cli.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * CPU time consumed by this JVM (host, front door and load driver) plus a target's replica processes
 * and their descendants (a sandbox or {@code taskset} wrapper forks the JVM that does the work).
 *
 * <p>Readings are kept per process, so a replica replaced between two readings does not make the
 * difference negative: the new process counts from zero, the old one up to the first reading only (the
 * CPU it used after that is lost with it, so a round in which a replica was replaced undercounts).
 */
final class CpuMeter {
    private static final com.sun.management.OperatingSystemMXBean OS = osBean();

    private CpuMeter() {
    }

    /** A reading: nanoseconds of CPU so far, for this JVM and for each listed process tree. */
    record Reading(long hostNanos, Map<Long, Long> processNanos) {
        /** CPU used since {@code earlier}: this JVM's, and the processes' that are still alive. */
        Usage since(Reading earlier) {
            long replicas = 0;
            for (Map.Entry<Long, Long> e : processNanos.entrySet()) {
                replicas += e.getValue() - Math.min(e.getValue(), earlier.processNanos.getOrDefault(e.getKey(), 0L));
            }
            return new Usage(hostNanos - earlier.hostNanos, replicas);
        }
    }

    /** CPU used between two readings. */
    record Usage(long hostNanos, long replicaNanos) {
    }

    static Reading read(List<Long> processes) {
        long host = OS == null ? 0 : OS.getProcessCpuTime();
        Map<Long, Long> perProcess = new HashMap<>();
        for (long pid : processes) {
            Optional<ProcessHandle> p = ProcessHandle.of(pid);
            if (p.isPresent()) {
                perProcess.put(pid, cpu(p.get()) + p.get().descendants().mapToLong(CpuMeter::cpu).sum());
            }
        }
        return new Reading(host, perProcess);
    }

    private static long cpu(ProcessHandle p) {
        return p.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    }

    private static com.sun.management.OperatingSystemMXBean osBean() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean b ? b : null;
    }
}

package io.resh.cli.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The share of the CPU time a virtual machine's hypervisor gave to others while a benchmark ran ("steal" in
 * {@code /proc/stat}). On a shared host it swings from none to a third within minutes, and every figure of a
 * run with much of it is slower and noisier for reasons that have nothing to do with what is measured; the
 * load average cannot show it, since it counts only this machine's own runnable threads.
 */
final class StolenTime {
    private final long[] start;

    private StolenTime(long[] start) {
        this.start = start;
    }

    /** Starts counting now. */
    static StolenTime sinceNow() {
        return new StolenTime(read());
    }

    /** Percent of all CPU time since {@link #sinceNow} that was stolen, or -1 where the OS does not say. */
    double percent() {
        return percent(start, read());
    }

    static double percent(long[] before, long[] after) {
        if (before == null || after == null) {
            return -1;
        }
        long total = after[0] - before[0];
        return total <= 0 ? -1 : Math.round(1000.0 * (after[1] - before[1]) / total) / 10.0;
    }

    /** {total, steal} in clock ticks from the first line of a {@code /proc/stat}, or null if it has no steal column. */
    static long[] parse(String cpuLine) {
        String[] f = cpuLine.trim().split("\\s+");
        if (f.length < 9 || !f[0].equals("cpu")) {
            return null;
        }
        long total = 0;
        for (int i = 1; i <= 8; i++) { // user nice system idle iowait irq softirq steal; guest time is inside user
            total += Long.parseLong(f[i]);
        }
        return new long[] {total, Long.parseLong(f[8])};
    }

    private static long[] read() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/stat"));
            return lines.isEmpty() ? null : parse(lines.get(0));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }
}

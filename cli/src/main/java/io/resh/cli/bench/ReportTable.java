package io.resh.cli.bench;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Map;

/** Prints a {@link ScenarioReport} as aligned text tables. */
public final class ReportTable {
    private ReportTable() {
    }

    /** Prints {@code r}: one table per section, then the targets met or missed, then notes. */
    public static void print(ScenarioReport r, PrintWriter out) {
        out.println();
        out.printf("== resh bench %s: %s ==%n", r.scenario(), r.workload());
        out.printf("machine: %s%n", r.machine());
        out.printf("started %s, wall %.1f s; reproduce with: %s%n", r.started(), r.wallSeconds(), r.command());
        for (Section s : r.sections()) {
            out.println();
            out.printf("-- %s --%n   %s%n", s.title(), s.method());
            out.printf("   %-18s %12s %10s %9s %9s %9s %9s %9s %10s %6s%n", "target", "req/s", "cpu us/req",
                    "host part", "p50 us", "p90 us", "p99 us", "p99.9 us", "max us", "errors");
            for (Measurement m : s.rows()) {
                Measurement.Latency l = m.latency();
                out.printf(Locale.ROOT, "   %-18s %,12.0f %10s %9s %9s %9s %9s %9s %10s %6d%n", m.label(),
                        m.throughput(), fixed(m.cpuMicrosPerRequest()), fixed(m.hostCpuMicrosPerRequest()), tenth(l.p50()),
                        tenth(l.p90()), tenth(l.p99()), tenth(l.p999()), tenth(l.max()), m.errors());
                if (m.firstError() != null) {
                    out.printf("   %-18s first error: %s%n", "", m.firstError());
                }
            }
            for (Map.Entry<String, Double> e : s.ratios().entrySet()) {
                out.printf(Locale.ROOT, "   ratio %-40s %8.3f%n", e.getKey(), e.getValue());
            }
        }
        if (!r.checks().isEmpty()) {
            out.println();
            out.println("-- targets (cpu us/req = this JVM + replica processes; host part = this JVM alone) --");
            for (Check c : r.checks()) {
                out.printf(Locale.ROOT, "   [%-6s] %-58s %14s %s %s%n", c.met() ? "met" : "missed", c.target(),
                        number(c.measured(), c.unit()), c.comparator(), number(c.threshold(), c.unit()));
            }
        }
        for (String n : r.notes()) {
            out.println("   note: " + n);
        }
    }

    private static String tenth(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%,.1f", v);
    }

    private static String fixed(Double v) {
        return v == null ? "-" : String.format(Locale.ROOT, "%.2f", v);
    }

    static String number(double v, String unit) {
        if ("x".equals(unit)) {
            return String.format(Locale.ROOT, "%.3fx", v);
        }
        if (Math.abs(v) >= 1000) {
            return String.format(Locale.ROOT, "%,.0f %s", v, unit);
        }
        return String.format(Locale.ROOT, "%.1f %s", v, unit);
    }
}

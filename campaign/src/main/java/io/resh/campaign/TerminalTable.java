package io.resh.campaign;

import java.util.List;
import java.util.Locale;

/** The coverage table as plain text for a terminal, with the verdict underneath. */
final class TerminalTable {
    private static final List<Outcome> COLUMNS = List.of(Outcome.values());

    private TerminalTable() {
    }

    static String render(CampaignResult result) {
        CampaignConfig c = result.config();
        StringBuilder out = new StringBuilder();
        out.append(String.format(Locale.ROOT, "resh campaign: %s, N=%d, %s, seed %d, %s each, %s%n",
                c.service().label(), c.replicas(), count(result.records().size(), "injection"), c.seed(),
                count(c.requestsPerInjection(), "request"), Elapsed.human(result.duration())));
        CoverageTable table = result.coverage();
        out.append(String.format(Locale.ROOT, "%-17s %5s", "fault", "n"));
        for (Outcome o : COLUMNS) {
            out.append(' ').append(pad(o.label()));
        }
        out.append(System.lineSeparator());
        for (CoverageTable.Row row : table.rows()) {
            counts(out, row);
        }
        counts(out, table.total());
        out.append(String.format(Locale.ROOT, "%n%-17s %-22s %-22s %-22s%n", "coverage", "detected [95% CI]",
                "corrected [95% CI]", "no SDC [95% CI]"));
        for (CoverageTable.Row row : table.rows()) {
            shares(out, row);
        }
        shares(out, table.total());
        out.append(System.lineSeparator());
        List<InjectionRecord> records = result.records();
        out.append(String.format(Locale.ROOT, "latency p50 / p99 / max: injection to detection %s; detection to recovery %s%n",
                LatencySummary.of(records, InjectionRecord::detectionMillis).format(),
                LatencySummary.of(records, InjectionRecord::recoveryMillis).format()));
        long others = records.stream().mapToLong(InjectionRecord::otherDetections).sum();
        if (others > 0 || result.groupRestarts() > 0) {
            out.append(String.format(Locale.ROOT, "also: %d detection(s) of replicas that were not the target; the group was replaced %d time(s)%n",
                    others, result.groupRestarts()));
        }
        OverheadReport o = result.overhead();
        if (o != null && o.replicas() == 1) {
            out.append(String.format(Locale.ROOT, "overhead (fault-free, %d requests): p50 latency %s %.0f us, bare %.1f us; "
                    + "pipelined throughput %.0f/s%n", o.requests(), o.single().setup(), o.single().p50Micros(),
                    o.bare().p50Micros(), o.single().pipelinedPerSecond()));
        } else if (o != null) {
            // Each ratio right after the one-replica figure it is taken against: after "bare 2.0 us" the latency
            // ratio read as one over the bare service.
            out.append(String.format(Locale.ROOT, "overhead (fault-free, %d requests): p50 latency %s %.0f us, 1 replica %.0f us "
                            + "(x%.2f), bare %.1f us; pipelined throughput %.0f/s, 1 replica %.0f/s (/%.2f)%n",
                    o.requests(), o.replicated().setup(), o.replicated().p50Micros(), o.single().p50Micros(), o.latencyRatio(),
                    o.bare().p50Micros(), o.replicated().pipelinedPerSecond(), o.single().pipelinedPerSecond(), o.throughputRatio()));
        } else {
            out.append("overhead: not measured (--no-overhead)").append(System.lineSeparator());
        }
        out.append(verdict(result)).append(System.lineSeparator());
        return out.toString();
    }

    private static void counts(StringBuilder out, CoverageTable.Row row) {
        out.append(String.format(Locale.ROOT, "%-17s %5d", row.label(), row.injections()));
        for (Outcome o : COLUMNS) {
            out.append(' ').append(String.format(Locale.ROOT, "%" + width(o.label()) + "d", row.count(o)));
        }
        out.append(System.lineSeparator());
    }

    private static void shares(StringBuilder out, CoverageTable.Row row) {
        out.append(String.format(Locale.ROOT, "%-17s %-22s %-22s %-22s%n", row.label(), row.detectedShare().format(),
                row.correctedShare().format(), row.noSdcShare().format()));
    }

    private static int width(String label) {
        return Math.max(6, label.length());
    }

    private static String pad(String label) {
        return String.format(Locale.ROOT, "%" + width(label) + "s", label);
    }

    /** "1 injection", "20 injections": a campaign of one injection said "1 injections". */
    static String count(long n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    static String verdict(CampaignResult result) {
        int n = result.config().replicas();
        if (n < 3) {
            String what = n == 2 ? "N=2 (DMR) detects a disagreement, rolls back and re-executes, or fails stop; it can't outvote a replica"
                    : "N=1 is the unreplicated control";
            return String.format(Locale.ROOT, "%s: %s, %d unavailable, %d latent (reported, not judged)", what,
                    count(result.count(Outcome.SILENT_DATA_CORRUPTION), "silent data corruption"),
                    result.count(Outcome.UNAVAILABLE), result.count(Outcome.LATENT));
        }
        List<String> violations = result.violations();
        if (violations.isEmpty()) {
            return "PASS: no silent data corruption, nothing unavailable, nothing latent, every detected fault recovered";
        }
        return "FAIL: " + String.join("; ", violations);
    }
}

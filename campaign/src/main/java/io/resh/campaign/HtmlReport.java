package io.resh.campaign;

import io.resh.core.InjectedFault;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * {@code report.html}: one self-contained page (inline CSS and SVG, no scripts, fonts or links to
 * fetch) with the verdict, the coverage table, the charts, the overhead and the injections that
 * did not end masked or corrected.
 */
final class HtmlReport {
    private static final String CSS = """
            body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:24px auto;max-width:1200px;color:#1d2430;padding:0 16px}
            h1{font-size:22px;margin:0 0 4px}h2{font-size:17px;margin:28px 0 8px;border-bottom:1px solid #dde2e8;padding-bottom:4px}
            table{border-collapse:collapse;margin:6px 0 10px}th,td{padding:3px 7px;border-bottom:1px solid #e6e9ee;text-align:right;white-space:nowrap}
            .scroll{overflow-x:auto}table.cov{font-size:13px}table.cov th{white-space:normal;vertical-align:bottom}table.cov td{padding:3px 5px}
            th{background:#f3f5f8;font-weight:600}td.l,th.l{text-align:left}tr.total td{font-weight:600;border-top:2px solid #c9ced6}
            .pass{background:#e6f4ea;border:1px solid #2e8b57;padding:8px 12px}.fail{background:#fdecea;border:1px solid #d62728;padding:8px 12px}
            .info{background:#eef3f9;border:1px solid #2e6f9e;padding:8px 12px}.meta td{text-align:left;white-space:normal;word-break:break-all}.mono{font-family:ui-monospace,monospace;font-size:12px}
            .lbl{font-size:12px;fill:#1d2430}.in{font-size:11px;fill:#fff}.zero{color:#b0b7c1}.bad{color:#d62728;font-weight:600}
            details{margin:8px 0}summary{cursor:pointer}td.wrap{white-space:normal;text-align:left;max-width:520px}
            """;

    private HtmlReport() {
    }

    static String render(CampaignResult result, String command) {
        CampaignConfig c = result.config();
        CoverageTable table = result.coverage();
        List<InjectionRecord> records = result.records();
        StringBuilder h = new StringBuilder(64 * 1024);
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>resh campaign: ")
                .append(escape(c.service().label())).append(", N=").append(c.replicas()).append("</title>\n<style>")
                .append(CSS).append("</style></head><body>\n");
        h.append("<h1>resh fault-injection campaign: ").append(escape(c.service().label())).append(", N=")
                .append(c.replicas()).append(", ").append(TerminalTable.count(records.size(), "injection")).append("</h1>\n");
        verdict(h, result);
        meta(h, result, command);
        h.append("<h2>Coverage by fault kind</h2>\n");
        coverage(h, table);
        h.append("<p>Proportions with 95% Wilson score intervals. <b>detected</b> and <b>corrected</b> are shares of the "
                + "injections whose fault had an effect (all but masked); <b>no SDC</b> is the share of all injections in which "
                + "no wrong value reached the client.</p>\n");
        h.append("<h2>Outcomes by fault kind</h2>\n").append(SvgCharts.outcomesByKind(table));
        h.append("<h2>Detection-to-recovery latency</h2>\n")
                .append(SvgCharts.histogram(values(records, InjectionRecord::recoveryMillis), "from detection to the replica rejoining"));
        latencyTable(h, records);
        if (result.overhead() != null) {
            overhead(h, result.overhead());
        } else {
            h.append("<h2>Overhead</h2>\n<p>Not measured in this campaign (<span class=\"mono\">--no-overhead</span>).</p>\n");
        }
        notable(h, records);
        definitions(h);
        h.append("<details><summary>All ").append(records.size()).append(" injections</summary>\n");
        injections(h, records);
        h.append("</details>\n</body></html>\n");
        return h.toString();
    }

    private static void verdict(StringBuilder h, CampaignResult result) {
        String css = result.config().replicas() < 3 ? "info" : result.violations().isEmpty() ? "pass" : "fail";
        h.append("<p class=\"").append(css).append("\">").append(escape(TerminalTable.verdict(result))).append("</p>\n");
    }

    private static void meta(StringBuilder h, CampaignResult result, String command) {
        CampaignConfig c = result.config();
        h.append("<table class=\"meta\">\n");
        if (command != null && !command.isBlank()) {
            row(h, "command", "<span class=\"mono\">" + escape(command) + "</span>");
        }
        row(h, "started", escape(result.startedAt().toString()));
        row(h, "duration", escape(Elapsed.human(result.duration())));
        row(h, "service", escape(c.service().label()) + (c.diverseReplicas()
                ? " (diverse: JDK, BouncyCastle AESEngine, BouncyCastle AESLightEngine)" : ""));
        row(h, "replicas", Integer.toString(c.replicas()));
        row(h, "seed", Long.toString(c.seed()));
        row(h, "requests per injection", Integer.toString(c.requestsPerInjection()));
        row(h, "fault kinds", escape(String.join(", ", c.kinds().stream().map(InjectedFault::label).toList())));
        row(h, "hang deadline / client timeout", c.deadline().toMillis() + " ms / " + c.requestTimeout().toMillis() + " ms");
        row(h, "settle timeout", c.settleTimeout().toMillis() + " ms (longest a window waits for detection, recovery"
                + " and the state check)");
        row(h, "replica JVM flags", "<span class=\"mono\">" + escape(String.join(" ", c.jvmArgs())) + "</span>");
        row(h, "group replaced", result.groupRestarts() + " time(s)");
        long others = result.records().stream().mapToLong(InjectionRecord::otherDetections).sum();
        row(h, "detections of non-target replicas", Long.toString(others));
        h.append("</table>\n");
    }

    private static void row(StringBuilder h, String key, String valueHtml) {
        h.append("<tr><th class=\"l\">").append(escape(key)).append("</th><td>").append(valueHtml).append("</td></tr>\n");
    }

    private static void coverage(StringBuilder h, CoverageTable table) {
        h.append("<div class=\"scroll\"><table class=\"cov\"><tr><th class=\"l\">fault</th><th>n</th>");
        for (Outcome o : Outcome.values()) {
            h.append("<th>").append(o.label()).append("</th>");
        }
        h.append("<th>detected [95% CI]</th><th>corrected [95% CI]</th><th>no SDC [95% CI]</th></tr>\n");
        for (CoverageTable.Row r : table.rows()) {
            coverageRow(h, r, "");
        }
        coverageRow(h, table.total(), " class=\"total\"");
        h.append("</table></div>\n");
    }

    private static void coverageRow(StringBuilder h, CoverageTable.Row r, String attrs) {
        h.append("<tr").append(attrs).append("><td class=\"l\">").append(escape(r.label())).append("</td><td>")
                .append(r.injections()).append("</td>");
        for (Outcome o : Outcome.values()) {
            long n = r.count(o);
            String css = n == 0 ? "zero" : o.safe() ? "" : "bad";
            h.append("<td class=\"").append(css).append("\">").append(n).append("</td>");
        }
        h.append("<td>").append(escape(r.detectedShare().format())).append("</td><td>")
                .append(escape(r.correctedShare().format())).append("</td><td>")
                .append(escape(r.noSdcShare().format())).append("</td></tr>\n");
    }

    private static void latencyTable(StringBuilder h, List<InjectionRecord> records) {
        h.append("<table><tr><th class=\"l\">fault</th><th>detected</th><th>injection → detection p50</th><th>p90</th><th>p99</th>"
                + "<th>max</th><th>detection → recovery p50</th><th>p90</th><th>p99</th><th>max</th></tr>\n");
        for (InjectedFault k : InjectedFault.values()) {
            List<InjectionRecord> of = records.stream().filter(r -> r.kind() == k).toList();
            if (!of.isEmpty()) {
                latencyRow(h, k.label(), of);
            }
        }
        latencyRow(h, "all", records);
        h.append("</table>\n<p>Milliseconds, from HdrHistogram. A hang is detected when a replica has held a request for the "
                + "deadline; recovery is a fresh replica process restoring the voted snapshot and replaying the log tail.</p>\n");
    }

    private static void latencyRow(StringBuilder h, String label, List<InjectionRecord> records) {
        LatencySummary d = LatencySummary.of(records, InjectionRecord::detectionMillis);
        LatencySummary r = LatencySummary.of(records, InjectionRecord::recoveryMillis);
        h.append("<tr><td class=\"l\">").append(escape(label)).append("</td><td>").append(d.count()).append("</td>");
        cells(h, d);
        cells(h, r);
        h.append("</tr>\n");
    }

    private static void cells(StringBuilder h, LatencySummary s) {
        if (s.count() == 0) {
            h.append("<td>-</td><td>-</td><td>-</td><td>-</td>");
            return;
        }
        for (double v : new double[] {s.p50Millis(), s.p90Millis(), s.p99Millis(), s.maxMillis()}) {
            h.append("<td>").append(String.format(Locale.ROOT, "%.1f", v)).append("</td>");
        }
    }

    private static void overhead(StringBuilder h, OverheadReport o) {
        h.append("<h2>Overhead without faults</h2>\n<p>The same ").append(o.requests())
                .append(" seeded requests, measured in this run before the first injection.</p>\n")
                .append("<table><tr><th class=\"l\">setup</th><th>p50 latency (µs)</th><th>p99 latency (µs)</th>"
                        + "<th>requests/s, 1 outstanding</th><th>requests/s, 32 outstanding</th><th>wrong replies</th></tr>\n");
        List<OverheadReport.Measurement> rows = o.replicas() == 1 ? List.of(o.bare(), o.single())
                : List.of(o.bare(), o.single(), o.replicated());
        for (OverheadReport.Measurement m : rows) {
            // The service called directly runs one request at a time: its "32 outstanding" rate is the sequential one
            // again, a figure nobody measured.
            String pipelined = m == o.bare() ? "—" : String.format(Locale.ROOT, "%.0f", m.pipelinedPerSecond());
            h.append(String.format(Locale.ROOT, "<tr><td class=\"l\">%s</td><td>%.1f</td><td>%.1f</td><td>%.0f</td><td>%s</td><td>%d</td></tr>%n",
                    escape(m.setup()), m.p50Micros(), m.p99Micros(), m.sequentialPerSecond(), pipelined, m.wrongReplies()));
        }
        h.append("</table>\n");
        if (o.replicas() > 1) {
            h.append(String.format(Locale.ROOT, "<p>N=%d against one replica: median latency ×%.2f, pipelined throughput ÷%.2f.</p>%n",
                    o.replicas(), o.latencyRatio(), o.throughputRatio()));
        }
    }

    private static void notable(StringBuilder h, List<InjectionRecord> records) {
        List<InjectionRecord> bad = records.stream().filter(r -> !r.outcome().safe() || r.outcome() == Outcome.DETECTED_FAIL_STOP).toList();
        h.append("<h2>Injections that were not masked or corrected (").append(bad.size()).append(")</h2>\n");
        if (bad.isEmpty()) {
            h.append("<p>None.</p>\n");
        } else {
            injections(h, bad.size() > 500 ? bad.subList(0, 500) : bad);
        }
    }

    private static void injections(StringBuilder h, List<InjectionRecord> records) {
        h.append("<table><tr><th>#</th><th class=\"l\">fault</th><th>replica</th><th>seq</th><th>arg</th><th class=\"l\">outcome</th>"
                + "<th class=\"l\">what was injected</th><th class=\"l\">why this outcome</th><th>detect ms</th><th>recover ms</th></tr>\n");
        for (InjectionRecord r : records) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td class=\"l\">%s</td><td>%d</td><td>%d</td><td class=\"mono\">%d</td>"
                            + "<td class=\"l\" style=\"color:%s\">%s</td><td class=\"wrap mono\">%s</td><td class=\"wrap\">%s</td><td>%s</td><td>%s</td></tr>%n",
                    r.index(), r.kind().label(), r.replica(), r.sequence(), r.arg(), SvgCharts.COLOURS.get(r.outcome()),
                    r.outcome().label(), escape(r.detail()), escape(r.explanation()), ms(r.detectionMillis()), ms(r.recoveryMillis())));
        }
        h.append("</table>\n");
    }

    private static String ms(double v) {
        return v < 0 ? "-" : String.format(Locale.ROOT, "%.1f", v);
    }

    private static void definitions(StringBuilder h) {
        h.append("<h2>Outcome classes</h2>\n<table>");
        def(h, Outcome.MASKED, "every reply equal to the golden (fault-free) run's, the state check clean, and the host noticed nothing");
        def(h, Outcome.DETECTED_CORRECTED, "every reply correct; the host detected the fault on the target and the replica rejoined");
        def(h, Outcome.DETECTED_FAIL_STOP, "the group stopped and clients got a clear error, never a wrong value");
        def(h, Outcome.DETECTED_UNRECOVERED, "every reply correct and the fault detected, but the replica had not rejoined when the window closed");
        def(h, Outcome.SILENT_DATA_CORRUPTION, "a reply that differs from the golden run reached the client");
        def(h, Outcome.UNAVAILABLE, "a request got no voted reply within the client timeout");
        def(h, Outcome.LATENT, "corrupted state survived the window: the voted snapshot differs from the golden state, a replica "
                + "disagrees with it unflagged, or a replica stayed stuck with nothing detected");
        h.append("</table>\n");
    }

    private static void def(StringBuilder h, Outcome o, String text) {
        h.append("<tr><td class=\"l\" style=\"color:").append(SvgCharts.COLOURS.get(o)).append("\"><b>").append(o.label())
                .append("</b></td><td class=\"wrap\">").append(escape(text)).append("</td></tr>\n");
    }

    private static List<Double> values(List<InjectionRecord> records, ToDoubleFunction<InjectionRecord> f) {
        return records.stream().mapToDouble(f).filter(v -> v >= 0).boxed().toList();
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                case '\'' -> out.append("&#39;");
                default -> out.append(ch);
            }
        }
        return out.toString();
    }
}

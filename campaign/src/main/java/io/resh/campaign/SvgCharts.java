package io.resh.campaign;

import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Inline SVG charts for the HTML report: no scripts, no fonts, no network. */
final class SvgCharts {
    static final Map<Outcome, String> COLOURS = new EnumMap<>(Map.of(
            Outcome.MASKED, "#9aa5b1",
            Outcome.DETECTED_CORRECTED, "#2e8b57",
            Outcome.DETECTED_FAIL_STOP, "#e0a800",
            Outcome.DETECTED_UNRECOVERED, "#ff7f0e",
            Outcome.SILENT_DATA_CORRUPTION, "#d62728",
            Outcome.UNAVAILABLE, "#8c564b",
            Outcome.LATENT, "#9467bd"));

    private static final int WIDTH = 760;
    private static final int LABEL = 140;
    private static final int ROW = 28;

    private SvgCharts() {
    }

    /** One 100%-stacked horizontal bar per fault kind (and the total), one colour per outcome. */
    static String outcomesByKind(CoverageTable table) {
        List<CoverageTable.Row> rows = new java.util.ArrayList<>(table.rows());
        rows.add(table.total());
        int barWidth = WIDTH - LABEL - 60;
        int height = rows.size() * ROW + 50;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"outcomes by fault kind\">%n",
                WIDTH, height, WIDTH, height));
        int y = 8;
        for (CoverageTable.Row row : rows) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">%s</text>%n",
                    LABEL - 8, y + 17, HtmlReport.escape(row.label())));
            double x = LABEL;
            for (Outcome o : Outcome.values()) {
                long n = row.count(o);
                if (n == 0 || row.injections() == 0) {
                    continue;
                }
                double w = barWidth * (double) n / row.injections();
                svg.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s: %s %d of %d (%.1f%%)</title></rect>%n",
                        x, y, w, ROW - 6, COLOURS.get(o), HtmlReport.escape(row.label()), o.label(), n, row.injections(),
                        100.0 * n / row.injections()));
                if (w >= 26) {
                    svg.append(String.format(Locale.ROOT, "<text x=\"%.2f\" y=\"%d\" text-anchor=\"middle\" class=\"in\">%d</text>%n",
                            x + w / 2, y + 16, n));
                }
                x += w;
            }
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" class=\"lbl\">n=%d</text>%n", LABEL + barWidth + 6, y + 17,
                    row.injections()));
            y += ROW;
        }
        int lx = 10;
        int ly = y + 18;
        for (Outcome o : Outcome.values()) {
            svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"12\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" class=\"lbl\">%s</text>%n",
                    lx, ly - 10, COLOURS.get(o), lx + 16, ly, o.label()));
            lx += 24 + 8 * o.label().length() + 14;
        }
        return svg.append("</svg>\n").toString();
    }

    /**
     * A histogram of latencies in milliseconds with about 30 bins of a round width.
     *
     * @param caption what is measured, for the axis title
     */
    static String histogram(List<Double> millis, String caption) {
        int height = 280;
        int left = 50;
        int bottom = 58;
        int plotW = WIDTH - left - 20;
        int plotH = height - bottom - 20;
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg viewBox=\"0 0 %d %d\" width=\"%d\" height=\"%d\" role=\"img\" aria-label=\"%s\">%n",
                WIDTH, height, WIDTH, height, HtmlReport.escape(caption)));
        if (millis.isEmpty()) {
            svg.append("<text x=\"20\" y=\"40\" class=\"lbl\">no data</text>\n</svg>\n");
            return svg.toString();
        }
        // Bins cover up to the 99th percentile; the slowest 1% share one overflow bar, so a few stragglers
        // under load don't squeeze the bulk of the distribution into two bars.
        double[] sorted = millis.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        double max = sorted[sorted.length - 1];
        double p99 = sorted[(int) Math.min(sorted.length - 1, Math.ceil(0.99 * sorted.length) - 1)];
        double bin = niceBin(Math.max(1, p99) / 30);
        int regular = (int) Math.floor(p99 / bin) + 1;
        boolean overflow = max >= regular * bin;
        int bins = regular + (overflow ? 1 : 0);
        long[] counts = new long[bins];
        for (double v : millis) {
            counts[Math.min(bins - 1, (int) Math.floor(v / bin))]++;
        }
        long top = 1;
        for (long c : counts) {
            top = Math.max(top, c);
        }
        double bw = (double) plotW / bins;
        int baseY = 20 + plotH;
        for (int i = 0; i < bins; i++) {
            if (counts[i] == 0) {
                continue;
            }
            double h = plotH * (double) counts[i] / top;
            boolean last = overflow && i == bins - 1;
            svg.append(String.format(Locale.ROOT, "<rect x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%s: %d</title></rect>%n",
                    left + i * bw + 0.5, baseY - h, Math.max(1, bw - 1), h, last ? "#c77c2e" : "#2e6f9e",
                    last ? String.format(Locale.ROOT, "%.0f-%.0f ms", i * bin, max)
                            : String.format(Locale.ROOT, "%.0f-%.0f ms", i * bin, (i + 1) * bin), counts[i]));
        }
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", left, baseY, left + plotW, baseY));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"20\" x2=\"%d\" y2=\"%d\" stroke=\"#333\"/>%n", left, left, baseY));
        double span = regular * bin;
        double step = niceBin(span / 6);
        for (double v = 0; v <= span + 1e-9; v += step) {
            double x = left + bw * v / bin;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" stroke=\"#333\"/>"
                    + "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"lbl\">%s</text>%n",
                    x, baseY, x, baseY + 4, x, baseY + 16, step < 1 ? String.format(Locale.ROOT, "%.1f", v)
                            : String.format(Locale.ROOT, "%.0f", v)));
        }
        if (overflow) {
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\" class=\"lbl\">&gt; %.0f</text>%n",
                    left + (bins - 0.5) * bw, baseY + 30, regular * bin));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">%d</text>%n", left - 4, 26, top));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" class=\"lbl\">0</text>%n", left - 4, baseY));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\" class=\"lbl\">%s (ms), %d injections</text>%n",
                left + plotW / 2, height - 6, HtmlReport.escape(caption), millis.size()));
        return svg.append("</svg>\n").toString();
    }

    /** 1, 2 or 5 times a power of ten, at least {@code raw}. */
    static double niceBin(double raw) {
        double p = Math.pow(10, Math.floor(Math.log10(raw)));
        for (double m : new double[] {1, 2, 5, 10}) {
            if (m * p >= raw) {
                return m * p;
            }
        }
        return 10 * p;
    }
}

package io.resh.campaign;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long run on a terminal. On a TTY one line is redrawn in place with a carriage return
 * (at most ten times a second); otherwise (CI logs, pipes) a plain line is printed at every tenth of
 * the way, and after a minute without one, so logs stay readable.
 *
 * <pre>{@code
 * ProgressBar bar = new ProgressBar(new PrintWriter(System.err, true), System.console() != null, plan.size(), "aes N=3");
 * bar.update(done, "sdc 0, unavailable 0");
 * bar.finish();
 * }</pre>
 */
public final class ProgressBar {
    private static final int BAR_WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;
    /** The longest a plain (not redrawn) progress output stays silent while injections complete. */
    private static final long QUIET_NANOS = 60_000_000_000L;

    private final PrintWriter out;
    private final boolean interactive;
    private final int total;
    private final String title;
    private final LongSupplier nanos;
    private final long startNanos;
    /**
     * When the first update came: the estimate uses the rate since then. The bar is made before the group starts and
     * the overhead is measured, and counting that time as injection time made "eta 39 s" of 10 s left at 3 of 30.
     */
    private long firstUpdateNanos = -1;
    private long lastDrawNanos;
    private int lastTenth = -1;
    private String lastLine = "";

    public ProgressBar(PrintWriter out, boolean interactive, int total, String title) {
        this(out, interactive, total, title, System::nanoTime);
    }

    ProgressBar(PrintWriter out, boolean interactive, int total, String title, LongSupplier nanos) {
        this.out = out;
        this.interactive = interactive;
        this.total = Math.max(1, total);
        this.title = title;
        this.nanos = nanos;
        this.startNanos = nanos.getAsLong();
        this.lastDrawNanos = startNanos - REDRAW_NANOS;
    }

    /** Reports that {@code done} of the total are finished; {@code status} is appended to the line. */
    public void update(int done, String status) {
        long now = nanos.getAsLong();
        if (firstUpdateNanos < 0 && done == 0) {
            firstUpdateNanos = now;
        }
        String line = line(done, now - startNanos, status);
        if (interactive) {
            if (done < total && now - lastDrawNanos < REDRAW_NANOS) {
                return;
            }
            lastDrawNanos = now;
            // Pad over the previous line's tail: a shorter line would otherwise leave characters behind.
            String padded = line.length() < lastLine.length() ? line + " ".repeat(lastLine.length() - line.length()) : line;
            out.print("\r" + padded);
            out.flush();
            lastLine = line;
            return;
        }
        int tenth = (int) ((long) done * 10 / total);
        // A tenth of a long campaign can take hours (of 1,000,000 injections, about 14): a line a minute at least
        // shows it still runs.
        if (tenth != lastTenth || now - lastDrawNanos >= QUIET_NANOS) {
            lastTenth = tenth;
            lastDrawNanos = now;
            out.println(line);
        }
    }

    /** Ends the redrawn line. */
    public void finish() {
        if (interactive && !lastLine.isEmpty()) {
            out.println();
        }
        out.flush();
    }

    String line(int done, long elapsedNanos, String status) {
        int d = Math.max(0, Math.min(done, total));
        int filled = (int) ((long) d * BAR_WIDTH / total);
        String bar = "#".repeat(filled) + ".".repeat(BAR_WIDTH - filled);
        long injectingNanos = firstUpdateNanos < 0 ? elapsedNanos : elapsedNanos - (firstUpdateNanos - startNanos);
        String eta = d == 0 ? "?" : Elapsed.human(Duration.ofNanos(Math.max(0, injectingNanos) * (total - d) / d));
        return String.format(Locale.ROOT, "%s [%s] %d/%d %3d%%  elapsed %s  eta %s%s", title, bar, d, total,
                (long) d * 100 / total, Elapsed.human(Duration.ofNanos(elapsedNanos)), eta,
                status == null || status.isEmpty() ? "" : "  " + status);
    }
}

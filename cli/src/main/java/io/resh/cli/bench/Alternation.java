package io.resh.cli.bench;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Measures several targets under the same load in turn, round after round, reversing the order every
 * round: on a shared machine, drift (another process, thermal limits, a GC of the host) then hits the
 * baseline and the candidate alike instead of biasing the ratio.
 */
final class Alternation {
    /** One measured window of one target. */
    @FunctionalInterface
    interface Load {
        Tally run(Target target, Duration time);
    }

    private Alternation() {
    }

    /**
     * Warms every target up once, then measures each for {@code slice} per round.
     *
     * @return one merged tally per target, in the order given
     */
    static List<Tally> measure(String title, List<? extends Target> targets, int rounds, Duration warmup,
                               Duration slice, Load load, PrintWriter progress) {
        return measure(title, targets, rounds, warmup, warmup, slice, load, progress);
    }

    /**
     * As {@link #measure(String, List, int, Duration, Duration, Load, PrintWriter)}, but each target is
     * warmed up for at least {@code warmup} and then until its throughput stops rising (a window of
     * {@value #STEADY_WINDOW_MILLIS} ms no more than {@value #STEADY_PERCENT} % above the best before it,
     * after at least {@value #STEADY_MIN_WINDOWS} windows), at most {@code
     * maxWarmup}: replica JVMs compile their hot paths for seconds, and a round measured before that
     * measures the JIT, not the steady state a long-running service sees.
     */
    static List<Tally> measure(String title, List<? extends Target> targets, int rounds, Duration warmup,
                               Duration maxWarmup, Duration slice, Load load, PrintWriter progress) {
        if (maxWarmup.compareTo(warmup) > 0) {
            progress.printf("%s: warming up %d targets (%d ms each, then until steady, at most %d ms)%n", title,
                    targets.size(), warmup.toMillis(), maxWarmup.toMillis());
        } else {
            progress.printf("%s: warming up %d targets (%d ms each)%n", title, targets.size(), warmup.toMillis());
        }
        for (Target t : targets) {
            warm(title, t, warmup, maxWarmup, load, progress);
        }
        List<Tally> merged = new ArrayList<>();
        for (Target t : targets) {
            merged.add(new Tally(t.label()));
        }
        for (int r = 0; r < rounds; r++) {
            StringBuilder line = new StringBuilder(String.format("%s: round %d/%d:", title, r + 1, rounds));
            for (int k = 0; k < targets.size(); k++) {
                int i = r % 2 == 0 ? k : targets.size() - 1 - k;
                Tally round = load.run(targets.get(i), slice);
                merged.get(i).add(round);
                line.append(String.format(Locale.ROOT, "  %s %,.0f req/s p99 %.0f us", targets.get(i).label(),
                        round.throughput(), round.latency.getValueAtPercentile(99) / 1e3));
                if (round.errors > 0) {
                    line.append(" (").append(round.errors).append(" errors)");
                }
            }
            progress.println(line);
        }
        return merged;
    }

    /**
     * Runs {@code load} on one target for {@code warmup}, then, if {@code maxWarmup} is longer, until its
     * throughput stops rising or {@code maxWarmup} is spent: for a target that a later comparison measures
     * without warming it up itself.
     */
    static void warm(String title, Target t, Duration warmup, Duration maxWarmup, Load load, PrintWriter progress) {
        load.run(t, warmup);
        if (maxWarmup.compareTo(warmup) > 0) {
            long took = warmUntilSteady(t, load, maxWarmup.minus(warmup));
            progress.printf("%s: %s steady after %d ms more%n", title, t.label(), took);
        }
    }

    private static final long STEADY_WINDOW_MILLIS = 1000;
    private static final double STEADY_PERCENT = 3;
    private static final int STEADY_MIN_WINDOWS = 3;

    /**
     * Runs windows of load until one is no more than {@link #STEADY_PERCENT} above the best before it
     * (at least {@link #STEADY_MIN_WINDOWS}: a JIT warms up in steps, with plateaus between them); returns
     * the time taken.
     */
    private static long warmUntilSteady(Target t, Load load, Duration budget) {
        long start = System.nanoTime();
        long deadline = start + budget.toNanos();
        double best = 0;
        int windows = 0;
        while (System.nanoTime() + STEADY_WINDOW_MILLIS * 1_000_000 <= deadline) {
            double current = load.run(t, Duration.ofMillis(STEADY_WINDOW_MILLIS)).throughput();
            windows++;
            if (windows >= STEADY_MIN_WINDOWS && current <= best * (1 + STEADY_PERCENT / 100)) {
                break;
            }
            best = Math.max(best, current);
        }
        return (System.nanoTime() - start) / 1_000_000;
    }

    /** Measures one target alone (no counterpart to alternate with). */
    static Tally measureAlone(String title, Target target, int rounds, Duration warmup, Duration slice, Load load,
                              PrintWriter progress) {
        return measure(title, List.of(target), rounds, warmup, slice, load, progress).get(0);
    }
}

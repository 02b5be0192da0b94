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
        progress.printf("%s: warming up %d targets (%d ms each)%n", title, targets.size(), warmup.toMillis());
        for (Target t : targets) {
            load.run(t, warmup);
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

    /** Measures one target alone (no counterpart to alternate with). */
    static Tally measureAlone(String title, Target target, int rounds, Duration warmup, Duration slice, Load load,
                              PrintWriter progress) {
        return measure(title, List.of(target), rounds, warmup, slice, load, progress).get(0);
    }
}

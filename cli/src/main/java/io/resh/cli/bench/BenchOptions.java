package io.resh.cli.bench;

import io.resh.core.ConfigException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.List;

/**
 * How to run a scenario. Scenarios take what applies to them and ignore the rest.
 *
 * @param duration total measured time, split over the scenario's comparisons and rounds (start-up,
 *     warm-up and state loading come on top)
 * @param rounds how many times each comparison alternates between its targets
 * @param window requests outstanding for throughput runs; null = the scenario's default
 * @param connections client connections to a front door
 * @param stateMegabytes service state sizes to recover from ({@code recovery})
 * @param rate requests per second of fixed-rate load; null = the scenario's default
 * @param pin pin each replica to its own core
 * @param checkpointEvery requests between checkpoints; null = the scenario's default
 * @param seed seed of the generated requests
 * @param command the command line, recorded in the report so it can be reproduced
 * @param progress where progress lines go while it runs
 */
public record BenchOptions(Duration duration, int rounds, Integer window, int connections,
                           List<Integer> stateMegabytes, Double rate, boolean pin, Integer checkpointEvery,
                           long seed, String command, PrintWriter progress) {
    /** Far beyond what one host drives; a larger figure is a typo, and would make every interval zero. */
    static final double MAX_RATE = 100_000_000;
    private static final Duration MAX_WARMUP = Duration.ofSeconds(6);

    /** @throws ConfigException naming the option of the first value out of range */
    public BenchOptions {
        ConfigException.requirePositive("--duration", duration);
        ConfigException.requireAtLeast("--rounds", rounds, 1);
        ConfigException.requireAtLeast("--connections", connections, 1);
        if (window != null) {
            ConfigException.requireAtLeast("--window", window, 1);
        }
        if (rate != null && !(rate > 0 && rate <= MAX_RATE)) {
            throw ConfigException.expected("--rate", "requests/s above 0 and at most " + (long) MAX_RATE, rate.toString());
        }
        if (checkpointEvery != null) {
            ConfigException.requireAtLeast("--checkpoint-every", checkpointEvery, 1);
        }
        stateMegabytes = List.copyOf(stateMegabytes);
        for (int mb : stateMegabytes) {
            if (mb < 0 || mb > 1024) {
                throw ConfigException.expected("--state-mb", "sizes from 0 to 1024 MB", Integer.toString(mb));
            }
        }
    }

    /** Warm-up per target before its first measured round: a 40th of the duration, within 0.3 to 1 s. */
    Duration warmup() {
        return Duration.ofMillis(Math.max(300, Math.min(1000, duration.toMillis() / 40)));
    }

    /**
     * The longest a target is warmed up until its throughput is steady (replica JVMs reach their steady speed
     * only after some seconds of full load): a sixth of the duration, at most 6 s, so that a short run gets a
     * proportionally short wait.
     */
    Duration maxWarmup() {
        Duration sixth = duration.dividedBy(6);
        return sixth.compareTo(MAX_WARMUP) > 0 ? MAX_WARMUP : sixth;
    }

    /** The measured time of one target in one round of a comparison that gets {@code share} of the duration. */
    Duration slice(double share, int targets) {
        long nanos = (long) (duration.toNanos() * share / rounds / targets);
        return Duration.ofNanos(Math.max(nanos, 50_000_000L));
    }
}

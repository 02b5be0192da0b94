package io.resh.campaign;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A confidence interval for a proportion by Wilson's score method. Unlike the normal approximation it
 * stays inside [0, 1] and is meaningful at 0 or n successes, which is exactly where coverage figures
 * live (0 SDCs out of 143 still only bounds the SDC rate below about 2.6%).
 *
 * @param successes k
 * @param trials n
 * @param lower lower bound of the interval (0 when n = 0)
 * @param upper upper bound of the interval (1 when n = 0)
 */
public record WilsonInterval(long successes, long trials, double lower, double upper) {
    /** z for a two-sided 95% interval. */
    public static final double Z95 = 1.959963984540054;

    /** The 95% interval for {@code successes} out of {@code trials}. */
    public static WilsonInterval of(long successes, long trials) {
        return of(successes, trials, Z95);
    }

    public static WilsonInterval of(long successes, long trials, double z) {
        if (trials < 0 || successes < 0 || successes > trials) {
            throw new IllegalArgumentException("expected 0 <= successes <= trials, got " + successes + " of " + trials);
        }
        if (trials == 0) {
            return new WilsonInterval(0, 0, 0, 1);
        }
        double n = trials;
        double p = successes / n;
        double z2 = z * z;
        double denominator = 1 + z2 / n;
        double centre = (p + z2 / (2 * n)) / denominator;
        double half = z / denominator * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n));
        double lower = successes == 0 ? 0 : Math.max(0, centre - half);
        double upper = successes == trials ? 1 : Math.min(1, centre + half);
        return new WilsonInterval(successes, trials, lower, upper);
    }

    /** k / n, or NaN when n = 0. */
    public double proportion() {
        return trials == 0 ? Double.NaN : (double) successes / trials;
    }

    /**
     * k / n for the JSON, or null when n = 0: JSON has no NaN, and Jackson wrote it as the string "NaN",
     * which a consumer reading the share as a number then fails on (every kind whose injections were all
     * masked has no effective faults to share).
     */
    @JsonProperty("share")
    public Double share() {
        return trials == 0 ? null : proportion();
    }

    /** "99.3% [98.1, 99.8]", or "n/a" when n = 0. */
    public String format() {
        if (trials == 0) {
            return "n/a";
        }
        return String.format(java.util.Locale.ROOT, "%.1f%% [%.1f, %.1f]", 100 * proportion(), 100 * lower, 100 * upper);
    }
}

package io.resh.cli.bench;

/**
 * One target of the performance goals and whether this run met it.
 *
 * @param target what is measured, e.g. {@code kv-small front door: TMR / N=1 throughput}
 * @param measured the value this run measured
 * @param comparator {@code >=} or {@code <=}
 * @param threshold the goal
 * @param unit unit of {@code measured} and {@code threshold} ({@code x} for ratios)
 * @param met whether {@code measured comparator threshold} holds
 */
public record Check(String target, double measured, String comparator, double threshold, String unit, boolean met) {

    static Check atLeast(String target, double measured, double threshold, String unit) {
        return new Check(target, measured, ">=", threshold, unit, measured >= threshold);
    }

    static Check atMost(String target, double measured, double threshold, String unit) {
        return new Check(target, measured, "<=", threshold, unit, measured <= threshold);
    }
}

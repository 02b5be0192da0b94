package io.resh.admin;

/**
 * How far a replica is trusted, from 1 (no recent faults) towards 0: {@code 1 / (1 + w)} where {@code w}
 * is its faults weighted by age, each fault's weight halving every {@code halfLife}. Old evidence fades,
 * new evidence accumulates. The host does not keep a reputation yet; until it does, the admin shows this
 * estimate. Thread-safe.
 */
final class ReputationEstimate {
    private final long halfLifeMillis;
    private double weight;
    private long asOfMillis;

    ReputationEstimate(long halfLifeMillis) {
        this.halfLifeMillis = halfLifeMillis;
    }

    synchronized void fault(long nowMillis) {
        weight = decayed(nowMillis) + 1;
        asOfMillis = nowMillis;
    }

    synchronized double value(long nowMillis) {
        return 1 / (1 + decayed(nowMillis));
    }

    private double decayed(long nowMillis) {
        if (weight == 0) {
            return 0;
        }
        long age = Math.max(0, nowMillis - asOfMillis);
        return weight * Math.pow(0.5, (double) age / halfLifeMillis);
    }
}

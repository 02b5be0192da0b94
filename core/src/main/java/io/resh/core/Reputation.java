package io.resh.core;

import java.time.Duration;

/**
 * How far a replica slot, a service version or a CPU core is trusted: {@code 1 / (1 + e)}, where
 * {@code e} is the evidence against it. Each fault adds to the evidence; the evidence halves every
 * {@code halfLife} (old evidence fades) and every correct vote takes {@code voteCredit} off it (good
 * behaviour accumulates). 1 means nothing recent against it; one fresh fault gives 0.5.
 *
 * <p>The score stabilizes from any state, as SHOS asks of trust: a corrupted value (negative, NaN,
 * absurdly large, or a timestamp in the future) is clamped on the next read and then decays like any
 * other evidence, so no bad history is permanent. Time is passed in (nanoseconds of any monotonic
 * clock), never read. Not thread-safe: one owner thread.
 */
public final class Reputation {
    /** Upper bound of the evidence: a billion faults or a corrupted value can't outlive a few dozen half-lives. */
    static final double MAX_EVIDENCE = 1e6;

    private final double halfLifeNanos;
    private final double voteCredit;
    private double evidence;
    private long asOfNanos;
    private long pendingVotes;
    private long faults;
    private long votes;

    /**
     * @param halfLife how long until the evidence of a fault has halved; positive
     * @param voteCredit evidence removed by one correct vote; 0 disables it
     */
    public Reputation(Duration halfLife, double voteCredit) {
        if (halfLife.isNegative() || halfLife.isZero()) {
            throw new IllegalArgumentException("reputation half-life must be positive, got " + halfLife);
        }
        if (!(voteCredit >= 0)) {
            throw new IllegalArgumentException("vote credit must be >= 0, got " + voteCredit);
        }
        this.halfLifeNanos = halfLife.toNanos();
        this.voteCredit = voteCredit;
    }

    /** Records a fault of {@code weight} (1 for an ordinary fault) at {@code nowNanos}. */
    public void fault(long nowNanos, double weight) {
        fold(nowNanos);
        evidence = clamp(evidence + weight);
        faults++;
    }

    /**
     * Takes back what is left now of a fault of {@code weight} recorded at {@code faultNanos}: it turned out not
     * to be this subject's (e.g. a request that killed every replica). The fault stays counted in {@link #faults()}.
     */
    public void forgive(long faultNanos, double weight, long nowNanos) {
        fold(nowNanos);
        long age = Math.max(0, nowNanos - faultNanos);
        evidence = clamp(evidence - weight * Math.pow(0.5, age / halfLifeNanos));
    }

    /** Records a correct vote. Cheap: the credit is folded in at the next read or fault. */
    public void vote() {
        pendingVotes++;
        votes++;
    }

    /** The trust in (0, 1]: 1 / (1 + evidence). */
    public double score(long nowNanos) {
        return 1 / (1 + evidence(nowNanos));
    }

    /** The decayed evidence against this subject now; 0 = none. */
    public double evidence(long nowNanos) {
        fold(nowNanos);
        return evidence;
    }

    /** Faults ever recorded (not decayed; for display). */
    public long faults() {
        return faults;
    }

    /** Correct votes ever recorded. */
    public long votes() {
        return votes;
    }

    private void fold(long nowNanos) {
        long age = nowNanos - asOfNanos;
        if (age < 0) {
            age = 0; // a timestamp from the future is corrupted bookkeeping: restart the decay from now
        }
        double e = evidence;
        if (e != 0 && age > 0) {
            e *= Math.pow(0.5, age / halfLifeNanos);
        }
        if (pendingVotes != 0) {
            e -= pendingVotes * voteCredit;
            pendingVotes = 0;
        }
        evidence = clamp(e);
        asOfNanos = nowNanos;
    }

    private static double clamp(double e) {
        if (Double.isNaN(e) || e < 1e-12) {
            return 0;
        }
        return Math.min(e, MAX_EVIDENCE);
    }

    /** For self-stabilization tests: overwrite the internal state with arbitrary values. */
    void corrupt(double evidence, long asOfNanos, long pendingVotes) {
        this.evidence = evidence;
        this.asOfNanos = asOfNanos;
        this.pendingVotes = pendingVotes;
    }
}

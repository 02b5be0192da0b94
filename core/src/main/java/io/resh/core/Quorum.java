package io.resh.core;

/**
 * The arithmetic of N-modular redundancy for a group of {@code n} replicas.
 *
 * <ul>
 *   <li>N = 1: no redundancy; the one reply is released (the control case).
 *   <li>N = 2 (DMR): both replies must agree; a mismatch is detected but can't be attributed.
 *   <li>N ≥ 3: f = ⌊(N−1)/2⌋ faulty replicas are masked; f+1 equal replies release an answer.
 * </ul>
 */
public record Quorum(int replicas) {

    public Quorum {
        if (replicas < 1) {
            throw new IllegalArgumentException("a group needs at least 1 replica, got " + replicas);
        }
    }

    /** How many faulty replicas the group masks: f = ⌊(N−1)/2⌋ (0 for N ≤ 2). */
    public int faultsMasked() {
        return (replicas - 1) / 2;
    }

    /** How many equal replies release an answer: f+1 for N ≠ 2, both for DMR. */
    public int agreementNeeded() {
        return replicas == 2 ? 2 : faultsMasked() + 1;
    }

    /** True for DMR, where a mismatch is detected but not attributable. */
    public boolean detectOnly() {
        return replicas == 2;
    }
}

package io.resh.core;

import java.util.Arrays;

/**
 * The tally of one request's replies. Not thread-safe: one owner thread casts every reply.
 *
 * <p>A ballot releases a value the first time {@link Quorum#agreementNeeded()} equal replies have
 * been cast, and keeps judging replies that arrive later against that value, so a slow replica that
 * answers wrongly is still caught. Replies are compared byte for byte; callers that vote on large
 * payloads can cast digests instead.
 */
public final class Ballot {

    /** What one cast changed. */
    public enum Outcome {
        /** Not yet decided; more replies are needed. */
        PENDING,
        /** This reply completed the quorum: {@link #decided()} is now the released value. */
        DECIDED,
        /** Cast after the decision and equal to it. */
        AGREES,
        /** Cast after the decision and different from it: the caster is faulty. */
        DISSENTS,
        /** Every expected reply is in and no value reached the quorum (or DMR replies differ). */
        UNDECIDABLE
    }

    private final Quorum quorum;
    private final byte[][] replies;
    private int cast;
    private byte[] decided;
    private boolean undecidable;

    public Ballot(Quorum quorum) {
        this.quorum = quorum;
        this.replies = new byte[quorum.replicas()][];
    }

    /**
     * Casts replica {@code replica}'s reply.
     *
     * @param expected how many replicas are expected to answer at all (the live ones); once that many
     *     replies are in without a quorum, the ballot is undecidable
     * @throws IllegalStateException if this replica already cast on this ballot
     */
    public Outcome cast(int replica, byte[] reply, int expected) {
        if (replies[replica] != null) {
            throw new IllegalStateException("replica " + replica + " already cast on this ballot");
        }
        cast++;
        if (decided != null) {
            if (decided == reply || Arrays.equals(decided, reply)) {
                // A ballot lives until the next stable checkpoint (a replacement's replayed replies are judged
                // against it): equal casts share one array, so N copies don't sit in the host's heap and its
                // young collections meanwhile.
                replies[replica] = decided;
                return Outcome.AGREES;
            }
            replies[replica] = reply;
            return Outcome.DISSENTS;
        }
        // Equal casts share one array, as in the decided case above: this one keeps an equal array already cast
        // instead of its own (one store, as before sharing; rewriting the others' slots cost a third of the votes/s).
        byte[] kept = reply;
        int equal = 1;
        for (int i = 0; i < replies.length; i++) {
            byte[] other = replies[i];
            if (other != null && (other == reply || Arrays.equals(other, reply))) {
                kept = other;
                equal++;
            }
        }
        replies[replica] = kept;
        if (equal >= quorum.agreementNeeded()) {
            decided = kept;
            return Outcome.DECIDED;
        }
        return recheckDecidable(expected);
    }

    /**
     * Re-evaluates decidability after the number of expected replies changed (a replica died).
     * Returns {@link Outcome#UNDECIDABLE} once no value can still reach the quorum.
     */
    public Outcome recheckDecidable(int expected) {
        if (decided != null) {
            return Outcome.AGREES;
        }
        int best = 0;
        for (byte[] r : replies) {
            if (r == null) {
                continue;
            }
            int equal = 0;
            for (byte[] other : replies) {
                if (other != null && Arrays.equals(other, r)) {
                    equal++;
                }
            }
            best = Math.max(best, equal);
        }
        int outstanding = Math.max(0, expected - cast);
        if (best + outstanding < quorum.agreementNeeded()) {
            undecidable = true;
            return Outcome.UNDECIDABLE;
        }
        return Outcome.PENDING;
    }

    /** The released value, or null while pending. */
    public byte[] decided() {
        return decided;
    }

    public boolean isDecided() {
        return decided != null;
    }

    public boolean isUndecidable() {
        return undecidable && decided == null;
    }

    /** The reply replica {@code replica} cast, or null. */
    public byte[] replyOf(int replica) {
        return replies[replica];
    }

    public boolean hasCast(int replica) {
        return replies[replica] != null;
    }

    /** Forgets replica {@code replica}'s reply (its process was replaced and will answer again). */
    public void withdraw(int replica) {
        if (replies[replica] != null) {
            replies[replica] = null;
            cast--;
            undecidable = false;
        }
    }

    /**
     * True if a replica other than {@code replica} cast the decided value. False in an unreplicated group once
     * {@code replica}'s earlier incarnation, the only voter, was withdrawn: then nobody vouches for the value.
     */
    public boolean decidedByOthersThan(int replica) {
        if (decided == null) {
            return false;
        }
        for (int i = 0; i < replies.length; i++) {
            if (i != replica && replies[i] != null && Arrays.equals(replies[i], decided)) {
                return true;
            }
        }
        return false;
    }

    /** Replicas whose cast reply differs from the decided value; empty while pending. */
    public int[] dissenters() {
        if (decided == null) {
            return new int[0];
        }
        int[] out = new int[replies.length];
        int k = 0;
        for (int i = 0; i < replies.length; i++) {
            if (replies[i] != null && !Arrays.equals(replies[i], decided)) {
                out[k++] = i;
            }
        }
        return Arrays.copyOf(out, k);
    }

    public int castCount() {
        return cast;
    }
}

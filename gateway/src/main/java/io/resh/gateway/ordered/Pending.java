package io.resh.gateway.ordered;

import io.resh.core.Ballot;
import io.resh.core.Quorum;
import io.resh.gateway.protocol.Request;

/** One request sent to the replicas and not yet answered by all of them. Owned by the multiplexer's thread. */
final class Pending {
    final long seq;
    final Request request;
    final ReplySlot reply;
    final Ballot ballot;
    final long sentNanos;
    /** Original (uncanonicalized) replies, kept until the vote is decided; one is released. */
    final byte[][] originals;
    /** Replicas this request was sent to and still in the vote. */
    int sent;
    /** Replicas (among {@link #sent}) that answered. */
    int answered;
    /** Some replica answered, even one taken out of the vote since (whose bit {@link #answered} lost). */
    boolean everAnswered;
    long decidedNanos = -1;
    /** The client got its answer (voted or error). */
    boolean replied;
    boolean retired;
    /** Set when f+1 replicas failed at it before any answered: what its client is told instead of "too few answered". */
    String failure;
    /** Dropped from the replay log as a request of death while a replica still owed it. */
    boolean skipped;

    Pending(long seq, Request request, ReplySlot reply, Quorum quorum, int sent, long sentNanos) {
        this.seq = seq;
        this.request = request;
        this.reply = reply;
        this.ballot = new Ballot(quorum);
        this.originals = new byte[quorum.replicas()][];
        this.sent = sent;
        this.sentNanos = sentNanos;
    }

    int expected() {
        return Integer.bitCount(sent);
    }

    /** Every replica still in the vote has answered. */
    boolean allAnswered() {
        return (sent & ~answered) == 0;
    }

    /** Replicas that still owe an answer. */
    int missing() {
        return sent & ~answered;
    }
}

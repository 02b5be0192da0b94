package io.resh.host;

import io.resh.core.Ballot;
import io.resh.replica.Frame;
import java.util.concurrent.CompletableFuture;

/** One ordered request: what was asked, with which context, and how the vote on it stands. */
final class LogEntry {
    final long sequence;
    final long timeMillis;
    final long seed;
    final byte[] payload;
    final Ballot ballot;
    /**
     * The caller's future until the entry is answered, then null: the entry stays in the log until the next
     * stable checkpoint, and the future (with the reply it holds) need not stay with it.
     */
    CompletableFuture<byte[]> reply;
    final long submittedNanos;
    /** DMR: how many times this request's replies mismatched (a second mismatch fails stop). */
    int mismatches;
    boolean answered;
    /**
     * A replica executed it and was replaced before the vote on it was decided (its vote was withdrawn): the
     * request did not kill it. Set on the replacement path only, never per reply.
     */
    boolean survived;
    /** A request of death: never sent to a replica again; replicas skip its sequence number (see {@link PoisonWatch}). */
    boolean skipped;
    /** The frame every replica is sent (and a replacement replays): built once, shared by all. */
    private Frame.Request request;

    LogEntry(long sequence, long timeMillis, long seed, byte[] payload, Ballot ballot,
             CompletableFuture<byte[]> reply, long submittedNanos) {
        this.sequence = sequence;
        this.timeMillis = timeMillis;
        this.seed = seed;
        this.payload = payload;
        this.ballot = ballot;
        this.reply = reply;
        this.submittedNanos = submittedNanos;
    }

    Frame.Request request() {
        Frame.Request r = request;
        if (r == null) {
            r = new Frame.Request(sequence, timeMillis, seed, payload);
            request = r;
        }
        return r;
    }
}

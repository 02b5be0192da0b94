package io.resh.host;

import io.resh.core.Ballot;
import java.util.concurrent.CompletableFuture;

/** One ordered request: what was asked, with which context, and how the vote on it stands. */
final class LogEntry {
    final long sequence;
    final long timeMillis;
    final long seed;
    final byte[] payload;
    final Ballot ballot;
    final CompletableFuture<byte[]> reply;
    final long submittedNanos;
    /** DMR: how many times this request's replies mismatched (a second mismatch fails stop). */
    int mismatches;
    boolean answered;

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
}

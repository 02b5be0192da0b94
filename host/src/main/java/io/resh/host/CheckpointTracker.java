package io.resh.host;

import io.resh.core.Ballot;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.Quorum;
import io.resh.replica.Frame;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.LongSupplier;

/**
 * Checkpoints of one group: tallies the state digests replicas report at every K-th request, fetches the
 * snapshot from a replica in the majority once f+1 digests agree, verifies it against the digest and
 * makes it the stable checkpoint. A replica in the digest minority has latent corrupted state and is
 * reported to the owner as faulty (or, just after it restored the voted snapshot, likely a service whose snapshot
 * is not canonical, and the evidence says so). Touched only by the group loop thread.
 */
final class CheckpointTracker {
    /** What the tracker needs from the group loop. */
    interface Owner {
        Slot[] slots();

        /** Replicas expected to vote (not counting a dormant one). */
        int expectedVoters();

        /** {@code details}: the evidence as data, keyed as {@link io.resh.core.GroupEvent.FaultDetected#details()}. */
        void fault(Slot slot, FaultKind kind, long seq, String evidence, Map<String, String> details);

        /**
         * No digest can reach the quorum at {@code seq}; {@code mismatches} counts how often that happened there.
         * {@code details} holds every reported digest, named {@code replicaN}.
         */
        void digestsUndecidable(long seq, int mismatches, String evidence, Map<String, String> details);

        /** A new stable checkpoint. */
        void stabilized(Checkpoint checkpoint);

        /**
         * The replicas agree on the state at {@code seq}, but its snapshot is larger than the host accepts:
         * the checkpoint is not fetched (fetching it would make every replica that sends it look broken).
         */
        void snapshotTooLarge(long seq, long snapshotBytes, long maxSnapshotBytes);

        /** The periodic checkpoint at {@code seq} is not taken: the one at {@code making} is still being made. */
        void checkpointDeferred(long seq, long making);
    }

    private record PendingFetch(long sequence, Digest digest, int slot, long sinceNanos) {
    }

    /** How many checkpoint intervals after its restore a replica's differing digest points at the snapshot. */
    static final int RECENT_CHECKPOINTS = 3;

    private final Owner owner;
    private final Quorum quorum;
    private final int checkpointEvery;
    private final long fetchTimeoutNanos;
    private final long maxSnapshotBytes;
    private final TreeMap<Long, Ballot> digestVotes = new TreeMap<>();
    /** Snapshot size each replica reported with its digest, by checkpoint and slot. */
    private final TreeMap<Long, long[]> snapshotSizes = new TreeMap<>();
    private final Map<Long, Integer> digestMismatches = new HashMap<>();
    private Checkpoint stable;
    /** Ad-hoc checkpoints asked for by {@link #requestAt} and not yet covered by a stable one. */
    private final TreeSet<Long> requested = new TreeSet<>();
    private PendingFetch fetching;
    private final LongSupplier nanos;
    /** The checkpoint last taken or asked for, and when: periodic ones wait while it is being made (see {@link #due}). */
    private long making = -1;
    private long makingSinceNanos;
    /** Periodic checkpoints are decided up to this sequence; those of them not taken are in {@link #deferred}. */
    private long periodicDecidedThrough;
    private final TreeSet<Long> deferred = new TreeSet<>();

    CheckpointTracker(Owner owner, Quorum quorum, int checkpointEvery, long fetchTimeoutNanos, long maxSnapshotBytes,
                      Checkpoint initial, LongSupplier nanos) {
        this.owner = owner;
        this.nanos = nanos;
        this.periodicDecidedThrough = initial.sequence();
        this.maxSnapshotBytes = maxSnapshotBytes;
        this.quorum = quorum;
        this.checkpointEvery = checkpointEvery;
        this.fetchTimeoutNanos = fetchTimeoutNanos;
        this.stable = initial;
    }

    Checkpoint stable() {
        return stable;
    }

    /**
     * True where replicas must report a digest: every K requests, and wherever an ad-hoc checkpoint was
     * asked for and is not stable yet — so a replica replaced before it answered still reports it.
     *
     * <p>A periodic checkpoint is not taken while the one before is still being made (its digests still coming,
     * or its snapshot on its way): with a state whose snapshot takes longer than K requests, each checkpoint's
     * fetch was superseded by the next one's, none became stable, and the log grew without bound while every
     * replica kept writing snapshots nobody took. Whether a sequence is a checkpoint is decided once, the first
     * time it is dispatched, so every replica, and every replacement replaying it, is told the same.
     */
    boolean due(long seq) {
        if (seq % checkpointEvery == 0 && periodic(seq)) {
            return true;
        }
        return !requested.isEmpty() && requested.contains(seq);
    }

    private boolean periodic(long seq) {
        if (seq <= periodicDecidedThrough) {
            return !deferred.contains(seq);
        }
        periodicDecidedThrough = seq;
        long now = nanos.getAsLong();
        if (beingMade(now)) {
            deferred.add(seq);
            owner.checkpointDeferred(seq, making);
            return false;
        }
        making = seq;
        makingSinceNanos = now;
        return true;
    }

    /**
     * The checkpoint last taken is not stable yet and may still become so. One held up for twice as long
     * as a fetch may take no longer holds later ones back, whatever holds it up.
     */
    private boolean beingMade(long now) {
        if (making <= stable.sequence() || now - makingSinceNanos > 2 * fetchTimeoutNanos) {
            return false;
        }
        if (fetching != null) {
            return true;
        }
        Ballot tally = digestVotes.get(making);
        return tally == null || !(tally.isDecided() || tally.isUndecidable());
    }

    /** {@code snapshotBytes}: the size of the snapshot the replica would send for this digest. */
    void onDigest(Slot slot, long seq, Digest digest, long snapshotBytes, long now) {
        slot.digestSequence = seq;
        slot.digest = digest.hex();
        if (seq <= stable.sequence()) {
            if (seq == stable.sequence() && !digest.equals(stable.digest())) {
                stateDivergence(slot, seq, stable.digest(), digest);
            }
            return;
        }
        Ballot tally = digestVotes.computeIfAbsent(seq, k -> new Ballot(quorum));
        if (tally.hasCast(slot.index)) {
            return;
        }
        snapshotSizes.computeIfAbsent(seq, k -> new long[owner.slots().length])[slot.index] = snapshotBytes;
        switch (tally.cast(slot.index, digest.bytes(), owner.expectedVoters())) {
            case DECIDED -> {
                Digest agreed = Digest.wrap(tally.decided());
                fetchSnapshot(seq, agreed, -1, now);
                for (int d : tally.dissenters()) {
                    stateDivergence(owner.slots()[d], seq, agreed, Digest.wrap(tally.replyOf(d)));
                }
            }
            case DISSENTS -> stateDivergence(slot, seq, Digest.wrap(tally.decided()), digest);
            case UNDECIDABLE -> owner.digestsUndecidable(seq, digestMismatches.merge(seq, 1, Integer::sum),
                    "state digests at checkpoint #" + seq + " differ: " + describe(tally) + allDiffer(tally), digestsOf(tally));
            default -> { }
        }
    }

    private String describe(Ballot tally) {
        StringBuilder sb = new StringBuilder();
        for (Slot s : owner.slots()) {
            if (tally.hasCast(s.index)) {
                sb.append(sb.length() == 0 ? "" : " vs ").append("replica ").append(s.index).append(' ')
                        .append(Digest.wrap(tally.replyOf(s.index)).shortHex());
            }
        }
        return sb.toString();
    }

    /**
     * Faults in several replicas at once rarely strike one checkpoint; every replica's snapshot differing is the mark
     * of a snapshot that is not canonical (a timestamp of its own, hash order), and the user must be told so rather
     * than left to suspect the hardware. Two replicas that differ (DMR) say nothing of the kind: one fault does that.
     */
    private String allDiffer(Ballot tally) {
        List<ByteBuffer> digests = new ArrayList<>();
        for (Slot s : owner.slots()) {
            if (tally.hasCast(s.index)) {
                digests.add(ByteBuffer.wrap(tally.replyOf(s.index)));
            }
        }
        if (digests.size() < 3 || digests.stream().distinct().count() < digests.size()) {
            return "";
        }
        return ": every replica's snapshot differing usually means a snapshot that is not canonical (the same state"
                + " must always write the same bytes: sorted keys, fixed-width numbers, no timestamps of its own)"
                + " or a nondeterministic service";
    }

    private Map<String, String> digestsOf(Ballot tally) {
        Map<String, String> d = new LinkedHashMap<>();
        for (Slot s : owner.slots()) {
            if (tally.hasCast(s.index)) {
                d.put("replica" + s.index + GroupEvent.FaultDetected.DIGEST, Digest.wrap(tally.replyOf(s.index)).hex());
            }
        }
        return d;
    }

    private void stateDivergence(Slot slot, long seq, Digest agreed, Digest actual) {
        owner.fault(slot, FaultKind.STATE_DIVERGENCE, seq, "state digest at checkpoint #" + seq + " is " + actual.shortHex()
                + ", the stable one is " + agreed.shortHex() + ": latent state corruption" + restoredAndDiffers(slot, seq),
                Evidence.digests("stable", agreed, "replica", actual));
    }

    /**
     * A replica restored from the voted snapshot holds the others' state by construction. Differing again soon
     * after, while none of its replies disagreed, is what a snapshot that is not canonical does (the restored
     * state writes other bytes than the same state built request by request, e.g. a hash map rebuilt in another
     * order): two replicas that ran on agree, the restored one is replaced at every checkpoint, and the bare
     * "latent state corruption" sent the user to the hardware. A replica that never restored a snapshot, or
     * restored one long ago, gets no such hint: a flipped bit there is what it looks like.
     */
    private String restoredAndDiffers(Slot slot, long seq) {
        if (slot.restoredFrom < 0 || slot.replyDisagreed || seq - slot.restoredFrom > RECENT_CHECKPOINTS * checkpointEvery) {
            return "";
        }
        return ", or a snapshot that is not canonical: replica " + slot.index + " was restored from the voted snapshot at #"
                + slot.restoredFrom + " and differs at #" + seq + " with no reply disagreeing; equal states must write"
                + " equal bytes (see WRITING-A-SERVICE.md, \"Snapshots\")";
    }

    /** Asks one replica whose digest matched for its snapshot; {@code exclude} is a slot that just failed to deliver. */
    private void fetchSnapshot(long seq, Digest digest, int exclude, long now) {
        Ballot tally = digestVotes.get(seq);
        Slot best = null;
        for (Slot s : owner.slots()) {
            if (s.index != exclude && s.receivesRequests() && tally != null && tally.hasCast(s.index)
                    && Arrays.equals(tally.replyOf(s.index), digest.bytes())
                    && (best == null || (s.state == SlotState.ACTIVE && best.state != SlotState.ACTIVE))) {
                best = s;
            }
        }
        if (best == null) {
            fetching = null;
            return;
        }
        long[] sizes = snapshotSizes.get(seq);
        if (sizes != null && sizes[best.index] > maxSnapshotBytes) {
            // Replicas in the same state send the same snapshot; one that reported a smaller size than it then
            // sends is stopped by the channel's limit, as any oversized frame is.
            fetching = null;
            owner.snapshotTooLarge(seq, sizes[best.index], maxSnapshotBytes);
            return;
        }
        fetching = new PendingFetch(seq, digest, best.index, now);
        best.outbox.add(new Frame.FetchSnapshot(seq));
    }

    /**
     * A fetched snapshot. {@code sent} is the digest of its bytes, computed by the caller off the group
     * loop (hashing 100 MB takes tens of milliseconds, which the loop would take from every request).
     */
    void onSnapshot(Slot slot, Frame.Snapshot s, Digest sent, long now) {
        PendingFetch f = fetching;
        if (f == null || f.sequence() != s.sequence() || f.slot() != slot.index) {
            return; // superseded by a newer checkpoint
        }
        if (s.snapshot().length == 0 && !f.digest().equals(sent)) {
            // The replica already moved on; the next checkpoint will be stable instead. (An empty snapshot
            // that hashes to the voted digest is a stateless service's real one: without taking it, such a
            // group would never truncate its log.)
            fetching = null;
            return;
        }
        if (!sent.equals(f.digest())) {
            fetching = null;
            owner.fault(slot, FaultKind.STATE_DIVERGENCE, f.sequence(), "snapshot sent for checkpoint #" + f.sequence()
                    + " hashes to " + sent.shortHex() + ", not the digest it voted for " + f.digest().shortHex(),
                    Evidence.digests("voted", f.digest(), "snapshot", sent));
            fetchSnapshot(f.sequence(), f.digest(), slot.index, now);
            return;
        }
        fetching = null;
        stable = Checkpoint.hashed(f.sequence(), f.digest(), s.snapshot()); // sent is the hash of these bytes
        requested.headSet(stable.sequence(), true).clear();
        deferred.headSet(stable.sequence(), true).clear();
        digestVotes.headMap(stable.sequence(), true).clear();
        snapshotSizes.headMap(stable.sequence(), true).clear();
        digestMismatches.keySet().removeIf(k -> k <= stable.sequence());
        owner.stabilized(stable);
    }

    /** The slot's process is being replaced: its digest votes no longer count, and a fetch from it is redirected. */
    void withdraw(Slot slot, long now) {
        for (Ballot b : digestVotes.values()) {
            b.withdraw(slot.index);
        }
        if (fetching != null && fetching.slot() == slot.index) {
            PendingFetch f = fetching;
            fetching = null;
            fetchSnapshot(f.sequence(), f.digest(), slot.index, now);
        }
    }

    /**
     * Asks every voting replica for a digest at {@code seq} (a checkpoint outside the K rhythm). A replica sent the
     * requests up to {@code seq} is told now; one still behind it (catching up) when the log reaches {@code seq} (see
     * {@link #due}): told now, it would snapshot the state of an earlier request, and its digest, differing from the
     * others', would have it replaced for latent state corruption it does not have.
     *
     * @return false when the stable checkpoint already covers {@code seq} (nothing is asked)
     */
    boolean requestAt(long seq) {
        if (seq <= stable.sequence()) {
            return false; // covered already
        }
        if (!due(seq)) {
            requested.add(seq);
            for (Slot s : owner.slots()) {
                if (s.receivesRequests() && s.cursor == seq + 1) {
                    s.outbox.add(new Frame.Checkpoint(seq));
                }
            }
        }
        if (seq > making) {
            making = seq; // periodic checkpoints wait for this one as for one of their own
            makingSinceNanos = nanos.getAsLong();
        }
        return true;
    }

    /**
     * Periodic checkpoints past the stable one were deferred: once a checkpoint became stable, the group asks for one
     * at its last request, so that a burst of requests that deferred them does not leave the log untruncated for as
     * long as the group then stays idle.
     */
    boolean owesDeferred() {
        return !deferred.isEmpty(); // those a stable checkpoint covers are dropped when it becomes stable
    }

    /**
     * A fetch that got no answer in time goes to another replica whose digest matched. Waiting for the next
     * checkpoint instead would leave the log untruncated for as long as the group then stays idle.
     */
    void checkTimeout(long now) {
        if (fetching != null && now - fetching.sinceNanos() > fetchTimeoutNanos) {
            PendingFetch f = fetching;
            fetching = null;
            fetchSnapshot(f.sequence(), f.digest(), f.slot(), now);
            if (fetching == null) {
                fetchSnapshot(f.sequence(), f.digest(), -1, now); // no other candidate: ask the same one again
            }
        }
    }
}

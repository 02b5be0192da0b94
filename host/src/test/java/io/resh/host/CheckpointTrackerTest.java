package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import io.resh.core.config.ReplicaSpec;
import io.resh.replica.Frame;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The checkpoint bookkeeping alone, driven by hand: digests, fetches and their timeouts. */
class CheckpointTrackerTest {
    private static final long TIMEOUT = 1_000;
    private static final long MAX_SNAPSHOT = 1024;
    private final byte[] state = "state at #100".getBytes(StandardCharsets.UTF_8);
    private final Digest digest = Digest.of(state);
    private final Slot[] slots = new Slot[3];
    private final List<Checkpoint> stabilized = new ArrayList<>();
    private final List<String> faults = new ArrayList<>();
    private final List<String> evidence = new ArrayList<>();
    private final List<String> tooLarge = new ArrayList<>();
    private final List<String> deferred = new ArrayList<>();
    /** What the tracker reads as the time when it decides whether a periodic checkpoint is taken. */
    private long now;
    private final CheckpointTracker tracker;

    CheckpointTrackerTest() {
        for (int i = 0; i < slots.length; i++) {
            slots[i] = new Slot(i, new ReplicaSpec("Svc", "java", List.of(), "v"));
            slots[i].state = SlotState.ACTIVE;
        }
        tracker = new CheckpointTracker(new CheckpointTracker.Owner() {
            @Override
            public Slot[] slots() {
                return slots;
            }

            @Override
            public int expectedVoters() {
                return slots.length;
            }

            @Override
            public void fault(Slot slot, FaultKind kind, long seq, String evidence, Map<String, String> details) {
                faults.add(slot.index + " " + kind.label());
                CheckpointTrackerTest.this.evidence.add(evidence);
            }

            @Override
            public void digestsUndecidable(long seq, int mismatches, String evidence, Map<String, String> details) {
                faults.add("undecidable #" + seq + ": " + evidence);
            }

            @Override
            public void stabilized(Checkpoint checkpoint) {
                stabilized.add(checkpoint);
            }

            @Override
            public void snapshotTooLarge(long seq, long snapshotBytes, long maxSnapshotBytes) {
                tooLarge.add("#" + seq + " " + snapshotBytes + " > " + maxSnapshotBytes);
            }

            @Override
            public void checkpointDeferred(long seq, long making) {
                deferred.add("#" + seq + " waits for #" + making);
            }
        }, new Quorum(3), 100, TIMEOUT, MAX_SNAPSHOT, Checkpoint.INITIAL, () -> now);
    }

    private List<Long> fetchesSentTo(int slot) {
        return slots[slot].outbox.stream().filter(f -> f instanceof Frame.FetchSnapshot)
                .map(f -> ((Frame.FetchSnapshot) f).sequence()).toList();
    }

    @Test
    void shouldAskAnotherReplicaWhenAFetchGetsNoAnswerInTime() {
        tracker.onDigest(slots[0], 100, digest, state.length, 0);
        tracker.onDigest(slots[1], 100, digest, state.length, 0);
        assertThat(fetchesSentTo(0)).containsExactly(100L);

        tracker.checkTimeout(TIMEOUT / 2);
        assertThat(fetchesSentTo(1)).as("not yet: the first replica still has time").isEmpty();
        tracker.checkTimeout(TIMEOUT + 1);
        assertThat(fetchesSentTo(1)).as("the other replica whose digest matched").containsExactly(100L);

        tracker.onSnapshot(slots[0], new Frame.Snapshot(100, state), digest, TIMEOUT + 2);
        assertThat(stabilized).as("the late answer of the replica given up on").isEmpty();
        tracker.onSnapshot(slots[1], new Frame.Snapshot(100, state), digest, TIMEOUT + 3);
        assertThat(stabilized).extracting(Checkpoint::sequence).containsExactly(100L);
        assertThat(faults).isEmpty();
    }

    @Test
    void shouldAskTheSameReplicaAgainWhenNoOtherHasTheDigest() {
        tracker.onDigest(slots[2], 100, digest, state.length, 0);
        tracker.onDigest(slots[1], 100, Digest.of(new byte[] {1}), state.length, 0);
        tracker.onDigest(slots[0], 100, digest, state.length, 0); // decided by 0 and 2; 1 dissents
        int asked = fetchesSentTo(0).isEmpty() ? 2 : 0;
        int other = 2 - asked;
        slots[other].state = SlotState.STOPPED; // the other matching replica went away meanwhile

        tracker.checkTimeout(TIMEOUT + 1);

        assertThat(fetchesSentTo(asked)).containsExactly(100L, 100L);
        tracker.onSnapshot(slots[asked], new Frame.Snapshot(100, state), digest, TIMEOUT + 2);
        assertThat(stabilized).extracting(Checkpoint::sequence).containsExactly(100L);
    }

    @Test
    void shouldNotFetchASnapshotLargerThanTheLimitAndFaultNoReplica() {
        tracker.onDigest(slots[0], 100, digest, MAX_SNAPSHOT + 1, 0);
        tracker.onDigest(slots[1], 100, digest, MAX_SNAPSHOT + 1, 0);
        tracker.onDigest(slots[2], 100, digest, MAX_SNAPSHOT + 1, 0);
        tracker.checkTimeout(TIMEOUT + 1);

        assertThat(fetchesSentTo(0)).isEmpty();
        assertThat(fetchesSentTo(1)).isEmpty();
        assertThat(fetchesSentTo(2)).isEmpty();
        assertThat(tooLarge).containsExactly("#100 1025 > 1024");
        assertThat(faults).isEmpty();
        assertThat(stabilized).isEmpty();

        tracker.onDigest(slots[0], 200, digest, MAX_SNAPSHOT, 0);
        tracker.onDigest(slots[1], 200, digest, MAX_SNAPSHOT, 0);
        assertThat(fetchesSentTo(0)).as("a snapshot of exactly the limit is fetched").containsExactly(200L);
    }

    /**
     * Before: every K-th request was a checkpoint whatever the one before was doing. With a snapshot that takes longer
     * than K requests, each fetch was superseded by the next checkpoint's and none became stable: the log grew
     * without bound (100 MB of state, a checkpoint every 1,000 requests at 4,000 requests/s).
     */
    @Test
    void shouldDeferPeriodicCheckpointsWhileTheOneBeforeIsBeingMade() {
        assertThat(tracker.due(100)).isTrue();
        assertThat(tracker.due(200)).as("its digests are still coming").isFalse();
        tracker.onDigest(slots[0], 100, digest, state.length, 0);
        tracker.onDigest(slots[1], 100, digest, state.length, 0);
        assertThat(tracker.due(300)).as("its snapshot is on its way").isFalse();
        assertThat(deferred).containsExactly("#200 waits for #100", "#300 waits for #100");

        tracker.onSnapshot(slots[0], new Frame.Snapshot(100, state), digest, 1);
        assertThat(stabilized).extracting(Checkpoint::sequence).containsExactly(100L);
        assertThat(tracker.due(400)).isTrue();
        assertThat(tracker.due(150)).as("not every K-th request").isFalse();
    }

    /** A replica replaying the log, or dispatched it later than the others, must be told what they were told. */
    @Test
    void shouldDecideEachPeriodicCheckpointOnceForEveryReplica() {
        assertThat(tracker.due(100)).isTrue();
        assertThat(tracker.due(200)).isFalse();
        tracker.onDigest(slots[0], 100, digest, state.length, 0);
        tracker.onDigest(slots[1], 100, digest, state.length, 0);
        tracker.onSnapshot(slots[0], new Frame.Snapshot(100, state), digest, 1);

        assertThat(tracker.due(100)).isTrue();
        assertThat(tracker.due(200)).as("deferred when first dispatched, though nothing is being made now").isFalse();
        assertThat(tracker.due(300)).isTrue();
        assertThat(tracker.due(300)).isTrue();
        assertThat(deferred).containsExactly("#200 waits for #100");
    }

    @Test
    void shouldTakeTheNextPeriodicCheckpointWhenTheOneBeforeCannotBecomeStable() {
        assertThat(tracker.due(100)).isTrue();
        tracker.onDigest(slots[0], 100, digest, MAX_SNAPSHOT + 1, 0);
        tracker.onDigest(slots[1], 100, digest, MAX_SNAPSHOT + 1, 0);
        assertThat(tooLarge).hasSize(1);
        assertThat(tracker.due(200)).as("#100 is not fetched").isTrue();

        tracker.onDigest(slots[0], 200, Digest.of(new byte[] {0}), 1, 0);
        tracker.onDigest(slots[1], 200, Digest.of(new byte[] {1}), 1, 0);
        tracker.onDigest(slots[2], 200, Digest.of(new byte[] {2}), 1, 0);
        assertThat(faults).hasSize(1).allSatisfy(f -> assertThat(f).startsWith("undecidable #200"));
        assertThat(tracker.due(300)).as("no digest of #200 can win").isTrue();
        assertThat(deferred).isEmpty();
    }

    /**
     * Before, a replica catching up was told at once and snapshotted the state of an earlier request: its digest
     * differed from the others' and it was replaced for a latent state corruption it did not have.
     */
    @Test
    void shouldTellAReplicaStillBehindAnAskedCheckpointWhenItReachesIt() {
        slots[0].cursor = 451;
        slots[1].cursor = 451;
        slots[2].state = SlotState.CATCHING_UP;
        slots[2].cursor = 200;

        assertThat(tracker.requestAt(450)).isTrue();

        for (int i = 0; i < 2; i++) {
            assertThat(slots[i].outbox).containsExactly(new Frame.Checkpoint(450));
        }
        assertThat(slots[2].outbox).as("not before it is sent #450").isEmpty();
        assertThat(tracker.due(450)).as("told when it reaches #450").isTrue();
        assertThat(tracker.due(449)).isFalse();
    }

    /** A burst that deferred periodic checkpoints would leave the log untruncated while the group then idles. */
    @Test
    void shouldOweACheckpointForThoseDeferredOnceTheOneBeforeIsStable() {
        assertThat(tracker.due(100)).isTrue();
        assertThat(tracker.due(200)).isFalse();
        assertThat(tracker.owesDeferred()).isTrue();
        tracker.onDigest(slots[0], 100, digest, state.length, 0);
        tracker.onDigest(slots[1], 100, digest, state.length, 0);
        tracker.onSnapshot(slots[0], new Frame.Snapshot(100, state), digest, 1);
        assertThat(tracker.owesDeferred()).as("#200 was deferred past stable #100").isTrue();

        assertThat(tracker.requestAt(250)).isTrue();
        assertThat(tracker.due(300)).as("the asked checkpoint is being made").isFalse();
        byte[] at250 = "state at #250".getBytes(StandardCharsets.UTF_8);
        tracker.onDigest(slots[0], 250, Digest.of(at250), at250.length, 2);
        tracker.onDigest(slots[1], 250, Digest.of(at250), at250.length, 2);
        tracker.onSnapshot(slots[0], new Frame.Snapshot(250, at250), Digest.of(at250), 3);

        assertThat(stabilized).extracting(Checkpoint::sequence).containsExactly(100L, 250L);
        assertThat(tracker.owesDeferred()).as("#300 was deferred past stable #250").isTrue();
        assertThat(tracker.due(400)).isTrue();
    }

    @Test
    void shouldNoLongerDeferForACheckpointHeldUpLongerThanTwoFetches() {
        assertThat(tracker.due(100)).isTrue();
        now = 2 * TIMEOUT;
        assertThat(tracker.due(200)).isFalse();
        now = 2 * TIMEOUT + 1;
        assertThat(tracker.due(300)).isTrue();
        assertThat(tracker.due(400)).as("now #300 is being made").isFalse();
    }

    /** Before: only the three digests, which read as three simultaneous faults; a snapshot with a timestamp did it. */
    @Test
    void shouldSayThatDigestsDifferingInEveryReplicaPointToASnapshotThatIsNotCanonical() {
        tracker.onDigest(slots[0], 100, Digest.of(new byte[] {0}), 1, 0);
        tracker.onDigest(slots[1], 100, Digest.of(new byte[] {1}), 1, 0);
        tracker.onDigest(slots[2], 100, Digest.of(new byte[] {2}), 1, 0);

        assertThat(faults).singleElement().asString()
                .startsWith("undecidable #100: state digests at checkpoint #100 differ: replica 0 ")
                .contains("every replica's snapshot differing usually means a snapshot that is not canonical");
    }

    /** Replicas 0 and 1 agree on the state at {@code seq}, replica 2 differs. */
    private String replica2DiffersAt(long seq) {
        tracker.onDigest(slots[0], seq, digest, state.length, 0);
        tracker.onDigest(slots[1], seq, digest, state.length, 0);
        tracker.onDigest(slots[2], seq, Digest.of(new byte[] {2}), 1, 0);
        assertThat(faults).singleElement().isEqualTo("2 state-divergence");
        return evidence.get(0);
    }

    /** Before: only "latent state corruption", checkpoint after checkpoint, for a snapshot written in hash order. */
    @Test
    void shouldPointAtTheSnapshotWhenAReplicaDiffersSoonAfterRestoringTheVotedOne() {
        slots[2].restoredFrom = 100;

        assertThat(replica2DiffersAt(300)).endsWith(": latent state corruption, or a snapshot that is not canonical:"
                + " replica 2 was restored from the voted snapshot at #100 and differs at #300 with no reply disagreeing;"
                + " equal states must write equal bytes (see WRITING-A-SERVICE.md, \"Snapshots\")");
    }

    @Test
    void shouldNotPointAtTheSnapshotWhenTheReplicaNeverRestoredOne() {
        assertThat(replica2DiffersAt(100)).endsWith(": latent state corruption");
    }

    @Test
    void shouldNotPointAtTheSnapshotWhenTheReplicaRestoredItLongAgo() {
        slots[2].restoredFrom = 100;

        assertThat(replica2DiffersAt(100 + (CheckpointTracker.RECENT_CHECKPOINTS + 1) * 100L)).endsWith(": latent state corruption");
    }

    @Test
    void shouldNotPointAtTheSnapshotWhenAReplyOfTheRestoredReplicaDisagreed() {
        slots[2].restoredFrom = 100;
        slots[2].replyDisagreed = true;

        assertThat(replica2DiffersAt(200)).endsWith(": latent state corruption");
    }
}

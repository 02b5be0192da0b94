package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.examples.aes.AesRequests;
import io.resh.examples.kv.KvRequests;
import io.resh.examples.kv.KvStore;
import io.resh.replica.ReplicatedService;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The workloads, the golden run and the state comparison, without any group. */
class WorkloadTest {

    private static List<byte[]> requests(Workload w, long seed, int n) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(w.nextRequest(random));
        }
        return out;
    }

    @Test
    void shouldDrawTheSameRequestsFromTheSameSeed() {
        for (ServiceKind kind : ServiceKind.values()) {
            List<byte[]> a = requests(kind.workload(), 11, 200);
            List<byte[]> b = requests(kind.workload(), 11, 200);
            for (int i = 0; i < a.size(); i++) {
                assertThat(a.get(i)).isEqualTo(b.get(i));
            }
        }
    }

    @Test
    void shouldAnswerEveryWorkloadRequestWithoutAnError() {
        for (ServiceKind kind : ServiceKind.values()) {
            Workload w = kind.workload();
            GoldenRun golden = new GoldenRun(w.newGolden());
            for (byte[] r : requests(w, 5, 2000)) {
                assertThat(golden.expect(r).error()).as(kind.label()).isNull();
            }
        }
    }

    @Test
    void shouldNeverSendKvRequestsWhoseRepliesCarryTheHostClock() {
        for (byte[] r : requests(new KvWorkload(), 3, 5000)) {
            assertThat(r[0]).isNotIn((byte) 'T', (byte) 'M');
        }
    }

    @Test
    void shouldChangeTheAesKeyNowAndThen() {
        assertThat(requests(new AesWorkload(), 8, 500).stream().filter(r -> r[0] == 'K')).hasSizeBetween(15, 60);
    }

    @Test
    void shouldRenderAServiceErrorAsTheReplicaRuntimeDoes() {
        GoldenRun golden = new GoldenRun(new KvStore());
        GoldenRun.Expected e = golden.expect(new byte[] {'X'});
        assertThat(e.value()).isNull();
        assertThat(e.error()).startsWith("java.lang.IllegalArgumentException: ");
        assertThat(e.matchesError(e.error())).isTrue();
        assertThat(e.matchesValue(new byte[0])).isFalse();
    }

    @Test
    void shouldSeeTheSameAesStateOnlyWhenTheSnapshotsAreEqual() {
        AesWorkload w = new AesWorkload();
        GoldenRun golden = new GoldenRun(w.newGolden());
        requests(w, 2, 100).forEach(golden::expect);
        byte[] snapshot = GoldenRun.snapshotOf(golden.service());
        assertThat(w.sameState(snapshot, golden.service())).isTrue();
        byte[] flipped = snapshot.clone();
        flipped[8] ^= 1; // a key bit
        assertThat(w.sameState(flipped, golden.service())).isFalse();
    }

    @Test
    void shouldCompareKvStateByContentNotByTimestamps() throws Exception {
        KvWorkload w = new KvWorkload();
        ReplicatedService golden = w.newGolden();
        ReplicatedService group = w.newGolden();
        GoldenRun a = new GoldenRun(golden);
        List<byte[]> rs = requests(w, 4, 300);
        rs.forEach(a::expect);
        // The group's store got the same requests at other (host) times.
        long t = 1_700_000_000_000L;
        for (byte[] r : rs) {
            group.execute(r, new FixedTime(t++));
        }
        assertThat(w.sameState(GoldenRun.snapshotOf(group), golden)).isTrue();
        group.execute(KvRequests.set("key-07", "tampered"), new FixedTime(t));
        assertThat(w.sameState(GoldenRun.snapshotOf(group), golden)).isFalse();
        assertThat(w.sameState(new byte[] {1, 2, 3}, golden)).isFalse();
    }

    @Test
    void shouldFollowTheGroupsStateAfterARebase() throws Exception {
        AesWorkload w = new AesWorkload();
        ReplicatedService other = w.newGolden();
        other.execute(AesRequests.setKey(new byte[16]), null);
        GoldenRun golden = new GoldenRun(w.newGolden());
        golden.rebase(GoldenRun.snapshotOf(other));
        assertThat(w.sameState(GoldenRun.snapshotOf(other), golden.service())).isTrue();
    }

    /** A context with a chosen host time, as a replica would see it. */
    private record FixedTime(long timeMillis) implements io.resh.replica.ExecutionContext {
        @Override
        public long sequence() {
            return 1;
        }

        @Override
        public java.util.random.RandomGenerator random() {
            return new SplittableRandom(0);
        }

        @Override
        public int replicaIndex() {
            return 0;
        }
    }
}

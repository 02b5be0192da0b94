package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.Digest;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The reader hashes a fetched snapshot in chunks and reports each, so that the replica is heard meanwhile. */
class SnapshotHashTest {
    @Test
    void shouldGiveTheSnapshotsDigestAndReportEveryChunkHashed() {
        byte[] snapshot = new byte[3 * ReplicaProcess.HASH_CHUNK + 12_345];
        new SplittableRandom(7).nextBytes(snapshot);
        List<Long> reported = new ArrayList<>();

        Digest d = ReplicaProcess.hash(snapshot, reported::add);

        assertThat(d).isEqualTo(Digest.of(snapshot));
        assertThat(reported).containsExactly((long) ReplicaProcess.HASH_CHUNK, (long) ReplicaProcess.HASH_CHUNK,
                (long) ReplicaProcess.HASH_CHUNK, 12_345L);
    }

    @Test
    void shouldHashAnEmptySnapshotWithoutReportingAnything() {
        List<Long> reported = new ArrayList<>();

        assertThat(ReplicaProcess.hash(new byte[0], reported::add)).isEqualTo(Digest.of(new byte[0]));
        assertThat(reported).isEmpty();
    }
}

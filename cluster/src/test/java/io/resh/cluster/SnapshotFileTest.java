package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.Digest;
import io.resh.host.Checkpoint;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SnapshotFileTest {
    @TempDir
    Path dir;

    private static Checkpoint checkpoint(long seq, String state) {
        byte[] bytes = state.getBytes(StandardCharsets.UTF_8);
        return new Checkpoint(seq, Digest.of(bytes), bytes);
    }

    @Test
    void shouldRoundTripTheCheckpointAndTheRaftPosition() throws IOException {
        Path f = dir.resolve("snapshot.3_120");
        new SnapshotFile(3, 120, checkpoint(97, "state at 97")).write(f);
        SnapshotFile back = SnapshotFile.read(f);
        assertThat(back.term()).isEqualTo(3);
        assertThat(back.index()).isEqualTo(120);
        assertThat(back.checkpoint().sequence()).isEqualTo(97);
        assertThat(back.checkpoint().digest()).isEqualTo(Digest.of("state at 97".getBytes(StandardCharsets.UTF_8)));
        assertThat(back.checkpoint().snapshot()).asString(StandardCharsets.UTF_8).isEqualTo("state at 97");
    }

    @Test
    void shouldRoundTripTheInitialState() throws IOException {
        Path f = dir.resolve("snapshot.1_4");
        new SnapshotFile(1, 4, Checkpoint.INITIAL).write(f);
        assertThat(SnapshotFile.read(f).checkpoint().initial()).isTrue();
    }

    @Test
    void shouldRejectEveryFlippedByte() throws IOException {
        Path f = dir.resolve("snapshot.2_50");
        new SnapshotFile(2, 50, checkpoint(40, "some replicated state")).write(f);
        byte[] good = Files.readAllBytes(f);
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Path g = dir.resolve("bad-" + i);
            Files.write(g, bad);
            assertThatThrownBy(() -> SnapshotFile.read(g)).as("byte %d flipped", i).isInstanceOf(IOException.class)
                    .hasMessageContaining(g.toString());
        }
    }

    @Test
    void shouldRejectATruncatedFile() throws IOException {
        Path f = dir.resolve("snapshot.2_51");
        new SnapshotFile(2, 51, checkpoint(41, "x")).write(f);
        Files.write(f, java.util.Arrays.copyOf(Files.readAllBytes(f), 20));
        assertThatThrownBy(() -> SnapshotFile.read(f)).isInstanceOf(IOException.class).hasMessageContaining("truncated");
    }
}

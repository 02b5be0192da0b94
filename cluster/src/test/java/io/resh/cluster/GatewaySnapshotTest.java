package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.gateway.server.CheckpointStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The metadata of a gateway's Raft snapshot: what it records, and a damaged file refused in one line. */
class GatewaySnapshotTest {
    @TempDir
    Path dir;

    private static GatewaySnapshot snapshot() {
        Map<String, byte[]> sums = new LinkedHashMap<>();
        byte[] sum = new byte[32];
        Arrays.fill(sum, (byte) 7);
        sums.put("dump.rdb", sum);
        return new GatewaySnapshot(3, 599, 330, 300, "$40\r\nabc\r\n".getBytes(StandardCharsets.UTF_8), sums);
    }

    @Test
    void shouldReadWhatItWrote() throws Exception {
        snapshot().write(dir);
        GatewaySnapshot read = GatewaySnapshot.read(dir);
        assertThat(read.term()).isEqualTo(3);
        assertThat(read.index()).isEqualTo(599);
        assertThat(read.sequence()).isEqualTo(330);
        assertThat(read.applied()).isEqualTo(300);
        assertThat(new String(read.digest(), StandardCharsets.UTF_8)).isEqualTo("$40\r\nabc\r\n");
        assertThat(read.sums()).containsOnlyKeys("dump.rdb");
        assertThat(read.sums().get("dump.rdb")).isEqualTo(snapshot().sums().get("dump.rdb"));

        CheckpointStore.Stored cp = read.checkpoint(dir);
        assertThat(cp.sequence()).isEqualTo(330);
        assertThat(cp.dir()).isEqualTo(dir.resolve(GatewaySnapshot.FILES));
    }

    @Test
    void shouldRefuseADamagedMetadataFileInOneLine() throws Exception {
        snapshot().write(dir);
        Path meta = dir.resolve(GatewaySnapshot.META);
        byte[] bytes = Files.readAllBytes(meta);
        bytes[20] ^= 1;
        Files.write(meta, bytes);
        assertThatThrownBy(() -> GatewaySnapshot.read(dir))
                .hasMessageStartingWith("snapshot metadata " + meta + " fails its CRC32C check (stored ")
                .hasMessageNotContaining("\n");

        Files.write(meta, Arrays.copyOf(bytes, 10));
        assertThatThrownBy(() -> GatewaySnapshot.read(dir)).hasMessage("snapshot metadata " + meta + " is truncated: 10 bytes");
        Files.delete(meta);
        assertThatThrownBy(() -> GatewaySnapshot.read(dir)).hasMessage("snapshot " + dir + " has no snapshot.meta");
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.Digest;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CheckpointTest {
    private final byte[] state = "voted state".getBytes(StandardCharsets.UTF_8);

    @Test
    void shouldRefuseSnapshotBytesThatDoNotMatchTheDigest() {
        byte[] flipped = state.clone();
        flipped[0] ^= 1;
        assertThatThrownBy(() -> new Checkpoint(5, Digest.of(state), flipped))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("checkpoint #5: snapshot bytes do not match the digest");
    }

    @Test
    void shouldStillCheckEveryOtherCheckpointAfterOneBuiltFromAlreadyHashedBytes() {
        Checkpoint trusted = Checkpoint.hashed(5, Digest.of(state), state);
        assertThat(trusted.digest()).isEqualTo(Digest.of(state));
        // The same array with a digest it does not have, built the ordinary way: checked again.
        assertThatThrownBy(() -> new Checkpoint(6, Digest.of(new byte[] {1}), state))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("do not match the digest");
    }
}

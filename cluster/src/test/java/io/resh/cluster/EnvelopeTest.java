package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.UUID;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class EnvelopeTest {
    @Property
    void shouldRoundTripIdCallAndPayload(@ForAll long msb, @ForAll long lsb, @ForAll long call, @ForAll byte[] payload,
                                         @ForAll boolean forwarded) {
        Envelope e = new Envelope(new UUID(msb, lsb), call, payload, forwarded);
        Envelope back = Envelope.decode(e.encode());
        assertThat(back).isNotNull();
        assertThat(back.client()).isEqualTo(e.client());
        assertThat(back.call()).isEqualTo(call);
        assertThat(back.payload()).isEqualTo(payload);
        assertThat(back.forwarded()).isEqualTo(forwarded);
    }

    @Test
    void shouldTreatAFrameWithoutTheMagicAsAPlainRequest() {
        assertThat(Envelope.decode("add:1".getBytes(StandardCharsets.UTF_8))).isNull();
        byte[] almost = new Envelope(UUID.randomUUID(), 1, new byte[3]).encode();
        almost[7] = 9; // unknown flags
        assertThat(Envelope.decode(almost)).isNull();
    }

    @Test
    void shouldCarryTheLeaderChosenContextInALogEntry() {
        ClusterEntry e = new ClusterEntry(1234L, -5L, new byte[] {1, 2, 3});
        ClusterEntry back = ClusterEntry.decode(java.nio.ByteBuffer.wrap(e.encode()));
        assertThat(back.timeMillis()).isEqualTo(1234L);
        assertThat(back.seed()).isEqualTo(-5L);
        assertThat(back.payload()).containsExactly(1, 2, 3);
    }
}

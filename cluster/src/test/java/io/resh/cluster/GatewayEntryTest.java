package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

class GatewayEntryTest {
    @Property
    void shouldRoundTripEveryFieldTheGatewayVotesAndDeliversWith(@ForAll byte[] bytes, @ForAll @StringLength(max = 40) String name,
                                                                 @ForAll boolean readOnly, @ForAll int shape,
                                                                 @ForAll boolean silent, @ForAll boolean closeAfter) {
        Request r = new Request(bytes, name, readOnly, shape, silent, closeAfter);
        Request back = GatewayEntry.decode(new GatewayEntry(r).encode()).request();
        assertThat(back.bytes()).isEqualTo(bytes);
        assertThat(back.name()).isEqualTo(name);
        assertThat(back.readOnly()).isEqualTo(readOnly);
        assertThat(back.shape()).isEqualTo(shape);
        assertThat(back.silent()).isEqualTo(silent);
        assertThat(back.closeAfter()).isEqualTo(closeAfter);
    }

    @Test
    void shouldKeepAnEntryWithALongNameWithinTheAdvertisedOverhead() {
        Request r = Request.of(new byte[10], "x".repeat(10_000), false, 0);
        assertThat(new GatewayEntry(r).encode().length).isLessThanOrEqualTo(10 + GatewayEntry.MAX_OVERHEAD);
    }

    @Test
    void shouldRefuseBytesThatAreNotAGatewayEntryWithTheReason() {
        assertThatThrownBy(() -> GatewayEntry.decode("add:1".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected at least");
        byte[] e = new GatewayEntry(Request.of(new byte[] {1}, "GET", true, 0)).encode();
        e[0] = 7;
        assertThatThrownBy(() -> GatewayEntry.decode(e)).hasMessageContaining("version 7");
        byte[] f = new GatewayEntry(Request.of(new byte[] {1}, "GET", true, 0)).encode();
        f[1] = (byte) 0x80;
        assertThatThrownBy(() -> GatewayEntry.decode(f)).hasMessageContaining("unknown flags 0x80");
        byte[] g = new GatewayEntry(Request.of(new byte[0], "GET", true, 0)).encode();
        g[7] = 100; // name length beyond the end
        assertThatThrownBy(() -> GatewayEntry.decode(g)).hasMessageContaining("name of 100 bytes");
    }
}

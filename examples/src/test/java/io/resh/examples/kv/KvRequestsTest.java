package io.resh.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class KvRequestsTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void shouldEncodeRequestsAsDocumented() {
        assertThat(HEX.formatHex(KvRequests.set("k", new byte[] {1, 2}))).isEqualTo("53" + "0001" + "6b" + "00000002" + "0102");
        assertThat(HEX.formatHex(KvRequests.get("k"))).isEqualTo("47" + "0001" + "6b");
        assertThat(HEX.formatHex(KvRequests.del("k"))).isEqualTo("44" + "0001" + "6b");
        assertThat(HEX.formatHex(KvRequests.incr("k"))).isEqualTo("49" + "0001" + "6b" + "0000000000000001");
        assertThat(HEX.formatHex(KvRequests.cas("k", new byte[] {7}, new byte[] {8})))
                .isEqualTo("43" + "0001" + "6b" + "00000001" + "07" + "00000001" + "08");
        assertThat(HEX.formatHex(KvRequests.cas("k", null, new byte[0])))
                .isEqualTo("43" + "0001" + "6b" + "ffffffff" + "00000000");
        assertThat(HEX.formatHex(KvRequests.size())).isEqualTo("5a");
        assertThat(HEX.formatHex(KvRequests.touch("k"))).isEqualTo("54" + "0001" + "6b");
        assertThat(HEX.formatHex(KvRequests.mtime("k"))).isEqualTo("4d" + "0001" + "6b");
    }

    @Test
    void shouldRoundTripEveryReplyKind() {
        KvReply[] replies = {KvReply.OK, KvReply.NIL, new KvReply.Value(new byte[] {0, 'V'}), new KvReply.Int(-42)};
        for (KvReply reply : replies) {
            assertThat(KvRequests.decodeReply(KvRequests.encodeReply(reply))).isEqualTo(reply);
        }
        assertThat(KvRequests.decodeReply(new byte[] {'V'})).isEqualTo(new KvReply.Value(new byte[0]));
    }

    @Test
    void shouldRejectBytesThatAreNoReply() {
        assertThatThrownBy(() -> KvRequests.decodeReply(new byte[0])).hasMessage("KV reply is empty: expected a type byte O, N, V or I");
        assertThatThrownBy(() -> KvRequests.decodeReply(new byte[] {'I', 1}))
                .hasMessage("not a KV reply: type byte 0x49 with 1 bytes after it");
        assertThatThrownBy(() -> KvRequests.decodeReply(new byte[] {'O', 0}))
                .hasMessage("not a KV reply: type byte 0x4f with 1 bytes after it");
    }

    @Test
    void shouldRefuseKeysTheProtocolCannotCarry() {
        assertThatThrownBy(() -> KvRequests.get("x".repeat(70_000)))
                .hasMessage("a KV key has at most 65535 UTF-8 bytes, this one has 70000");
        assertThatThrownBy(() -> KvRequests.get("bad\uD800"))
                .hasMessage("a KV key must be valid Unicode; this one has an unpaired surrogate");
    }

    @Test
    void shouldKeepValueRepliesImmutable() {
        byte[] bytes = {1};
        KvReply.Value value = new KvReply.Value(bytes);
        bytes[0] = 2;
        value.bytes()[0] = 3;
        assertThat(value.bytes()).containsExactly(1);
    }
}

package io.resh.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class KvRequestTest {

    @Test
    void shouldParseEveryOpBackToItsFields() {
        KvRequest cas = KvRequest.parse(KvRequests.cas("ключ", new byte[] {1}, new byte[] {2, 3}));
        assertThat(cas.op()).isEqualTo(KvRequest.Op.CAS);
        assertThat(cas.key().text()).isEqualTo("ключ");
        assertThat(cas.key()).isEqualTo(KvKey.of("ключ")).hasSameHashCodeAs(KvKey.of("ключ"));
        assertThat(cas.expected()).containsExactly(1);
        assertThat(cas.value()).containsExactly(2, 3);
        assertThat(KvRequest.parse(KvRequests.cas("k", null, new byte[0])).expected()).isNull();
        assertThat(KvRequest.parse(KvRequests.incrBy("k", -9)).delta()).isEqualTo(-9);
        assertThat(KvRequest.parse(KvRequests.size()).op()).isEqualTo(KvRequest.Op.SIZE);
        assertThat(KvRequest.parse(KvRequests.mtime("m")).op()).isEqualTo(KvRequest.Op.MTIME);
    }

    @Test
    void shouldExplainMalformedRequests() {
        assertThatThrownBy(() -> KvRequest.parse(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("KV request is empty: expected an op byte (S G D I C Z T M)");
        assertThatThrownBy(() -> KvRequest.parse(new byte[] {'x'}))
                .hasMessage("KV request has unknown op byte 0x78; expected one of S G D I C Z T M");
        assertThatThrownBy(() -> KvRequest.parse(new byte[] {'G', 0}))
                .hasMessage("KV request GET: truncated at byte 1: the key length needs 2 bytes, 1 left");
        assertThatThrownBy(() -> KvRequest.parse(new byte[] {'G', 0, 5, 'a'}))
                .hasMessage("KV request GET: key length 5 at byte 1 exceeds the 1 bytes left");
        assertThatThrownBy(() -> KvRequest.parse(new byte[] {'G', 0, 1, (byte) 0xFF}))
                .hasMessage("KV request GET: key at byte 3 is not valid UTF-8");
        byte[] incr = KvRequests.incr("k");
        assertThatThrownBy(() -> KvRequest.parse(Arrays.copyOf(incr, incr.length - 1)))
                .hasMessage("KV request INCR: truncated at byte 4: the delta needs 8 bytes, 7 left");
        assertThatThrownBy(() -> KvRequest.parse(new byte[] {'Z', 0}))
                .hasMessage("KV request SIZE: 1 unexpected bytes after the last field, at byte 1");
        assertThatThrownBy(() -> KvRequest.parse(new byte[] {'S', 0, 0, (byte) 0x80, 0, 0, 0}))
                .hasMessage("KV request SET: value length 2147483648 at byte 3 is larger than any request");
    }

    @Test
    void shouldNameTheCasFieldThatIsCut() {
        byte[] cas = KvRequests.cas("k", new byte[] {1, 2, 3}, new byte[] {4});
        assertThatThrownBy(() -> KvRequest.parse(Arrays.copyOf(cas, 9)))
                .hasMessage("KV request CAS: expected value length 3 at byte 4 exceeds the 1 bytes left");
        assertThatThrownBy(() -> KvRequest.parse(Arrays.copyOf(cas, cas.length - 1)))
                .hasMessage("KV request CAS: new value length 1 at byte 11 exceeds the 0 bytes left");
    }
}

package io.resh.examples.aes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AesRequestTest {

    @Test
    void shouldParseEncryptIntoNonceAndPlaintext() {
        byte[] nonce = new byte[16];
        nonce[15] = 7;
        AesRequest request = AesRequest.parse(AesRequests.encrypt(nonce, new byte[] {1, 2, 3}));
        assertThat(request.op()).isEqualTo(AesRequest.Op.ENCRYPT);
        assertThat(request.nonce()).isEqualTo(nonce);
        assertThat(request.text()).containsExactly(1, 2, 3);
    }

    @Test
    void shouldParseSetKeyOfEveryAesKeySize() {
        for (int size : new int[] {16, 24, 32}) {
            assertThat(AesRequest.parse(AesRequests.setKey(new byte[size])).key()).hasSize(size);
        }
    }

    @Test
    void shouldExplainAnEmptyRequest() {
        assertThatThrownBy(() -> AesRequest.parse(new byte[0]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AES request is empty: expected an op byte 'E', 'D', 'K' or 'S'");
    }

    @Test
    void shouldNameTheUnknownOpByte() {
        assertThatThrownBy(() -> AesRequest.parse(new byte[] {(byte) 0xC3}))
                .hasMessage("AES request has unknown op byte 0xc3; expected 'E', 'D', 'K' or 'S'");
    }

    @Test
    void shouldSayHowShortTheNonceIs() {
        assertThatThrownBy(() -> AesRequest.parse(new byte[] {'D', 0, 0, 0, 0, 0}))
                .hasMessage("AES request 'D' needs a 16-byte nonce after the op byte, got 5 bytes");
    }

    @Test
    void shouldRejectAKeyThatIsNoAesKeySize() {
        assertThatThrownBy(() -> AesRequest.parse(new byte[21]))
                .hasMessageContaining("unknown op byte 0x00");
        byte[] request = new byte[21];
        request[0] = 'K';
        assertThatThrownBy(() -> AesRequest.parse(request))
                .hasMessage("AES request 'K' carries a 20-byte key; an AES key has 16, 24 or 32 bytes");
    }

    @Test
    void shouldRejectArgumentsToServed() {
        assertThatThrownBy(() -> AesRequest.parse(new byte[] {'S', 1, 2}))
                .hasMessage("AES request 'S' takes no arguments, got 2 extra bytes");
    }

    @Test
    void shouldRefuseToEncodeRequestsWithWrongSizes() {
        assertThatThrownBy(() -> AesRequests.encrypt(new byte[15], new byte[0]))
                .hasMessage("an AES-CTR nonce has 16 bytes, got 15");
        assertThatThrownBy(() -> AesRequests.setKey(new byte[8]))
                .hasMessage("an AES key has 16, 24 or 32 bytes, got 8");
        assertThatThrownBy(() -> AesRequests.servedCount(new byte[3]))
                .hasMessage("a reply to 'S' has 8 bytes, got 3");
    }
}

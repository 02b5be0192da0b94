package io.resh.examples.aes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.examples.FixedContext;
import org.junit.jupiter.api.Test;

class AesOracleTest {

    @Test
    void shouldComputeTheNistCtrVector() {
        assertThat(AesOracle.encrypt(AesRequests.defaultKey(), AesServiceContract.NIST_COUNTER,
                AesServiceContract.NIST_PLAINTEXT)).isEqualTo(AesServiceContract.NIST_CIPHERTEXT_128);
    }

    @Test
    void shouldFollowKeyChangesLikeTheGroup() throws Exception {
        AesOracle oracle = new AesOracle();
        BcAesLight replica = new BcAesLight();
        byte[][] requests = {
            AesRequests.encrypt(AesServiceContract.NIST_COUNTER, AesServiceContract.NIST_PLAINTEXT),
            AesRequests.setKey(AesServiceContract.NIST_KEY_256),
            AesRequests.encrypt(AesServiceContract.NIST_COUNTER, AesServiceContract.NIST_PLAINTEXT),
            AesRequests.served(),
        };
        long sequence = 0;
        for (byte[] request : requests) {
            assertThat(oracle.expect(request)).isEqualTo(replica.execute(request, FixedContext.at(++sequence)));
        }
        assertThat(oracle.expect(AesRequests.encrypt(AesServiceContract.NIST_COUNTER, AesServiceContract.NIST_PLAINTEXT)))
                .isEqualTo(AesServiceContract.NIST_CIPHERTEXT_256);
    }

    @Test
    void shouldExpectTheGroupsErrorForAMalformedRequest() {
        assertThatThrownBy(() -> new AesOracle().expect(new byte[] {'K'}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("AES request 'K' carries a 0-byte key; an AES key has 16, 24 or 32 bytes");
    }
}

package io.resh.examples.aes;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * What a correct AES group answers, computed outside the group. A client (the demo, a fault-injection
 * campaign) feeds every request it sends to {@link #expect} as well and compares the group's voted
 * reply with it: a wrong answer that got through the vote is then caught, not trusted.
 *
 * <p>The oracle follows the key changes of {@code 'K'} requests, so it must see the same requests in
 * the same order as the group. It is not thread-safe.
 */
public final class AesOracle {

    private final JdkAes model = new JdkAes();

    /**
     * The reply a correct replica gives to {@code request}, advancing the oracle's key and served count
     * as the replicas' state advances.
     *
     * @throws IllegalArgumentException with the same text the replicas answer if the request is malformed
     */
    public byte[] expect(byte[] request) {
        try {
            // The AES service never reads the context: nothing in it depends on time or randomness.
            return model.execute(request, null);
        } catch (IllegalArgumentException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("AES oracle failed on a well-formed request: " + e.getMessage(), e);
        }
    }

    /** AES-CTR of {@code plaintext} under {@code key} from counter block {@code nonce}: the ciphertext of {@code 'E'}. */
    public static byte[] encrypt(byte[] key, byte[] nonce, byte[] plaintext) {
        if (!AesRequest.validKeyLength(key.length)) {
            throw new IllegalArgumentException("an AES key has 16, 24 or 32 bytes, got " + key.length);
        }
        if (nonce.length != AesRequests.NONCE_BYTES) {
            throw new IllegalArgumentException("an AES-CTR nonce has 16 bytes, got " + nonce.length);
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/CTR/NoPadding", "SunJCE");
            cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(nonce));
            return cipher.doFinal(plaintext);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK cannot run AES/CTR: " + e.getMessage(), e);
        }
    }
}

package io.resh.examples.aes;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The AES service over the JDK's own provider ({@code SunJCE}, which uses the CPU's AES instructions
 * where the JVM has an intrinsic for them).
 *
 * <p>Protocol ({@link AesRequests} has the details): {@code 'E'|nonce[16]|plaintext} → ciphertext,
 * {@code 'D'|nonce[16]|ciphertext} → plaintext, {@code 'K'|key} → 3-byte key check value, {@code 'S'}
 * → u64 requests served. AES-CTR, no padding; replies and snapshots are byte-identical to {@link
 * BcAesEngine} and {@link BcAesLight}.
 */
public final class JdkAes extends AesCtrService {

    private final Cipher cipher;

    public JdkAes() {
        try {
            // Named explicitly: if BouncyCastle were registered as a JCA provider, this replica would
            // otherwise silently run the same code as the other two and the group would lose its diversity.
            cipher = Cipher.getInstance("AES/CTR/NoPadding", "SunJCE");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JDK has no SunJCE AES/CTR cipher: " + e.getMessage(), e);
        }
    }

    @Override
    byte[] applyCtr(byte[] key, byte[] counterBlock, byte[] text) throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counterBlock));
        return cipher.doFinal(text);
    }

    @Override
    void applyCtr(byte[] key, byte[] counterBlock, ByteBuffer text, ByteBuffer out) throws GeneralSecurityException {
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"), new IvParameterSpec(counterBlock));
        cipher.doFinal(text, out);
    }
}

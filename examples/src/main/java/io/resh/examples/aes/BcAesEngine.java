package io.resh.examples.aes;

import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.CTRModeCipher;
import org.bouncycastle.crypto.modes.SICBlockCipher;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * The AES service over BouncyCastle's lightweight API: the table-driven {@link AESEngine} in
 * BouncyCastle's counter mode ({@link SICBlockCipher}). No JCA provider is involved.
 *
 * <p>Protocol ({@link AesRequests} has the details): {@code 'E'|nonce[16]|plaintext} → ciphertext,
 * {@code 'D'|nonce[16]|ciphertext} → plaintext, {@code 'K'|key} → 3-byte key check value, {@code 'S'}
 * → u64 requests served. AES-CTR, no padding; replies and snapshots are byte-identical to {@link
 * JdkAes} and {@link BcAesLight}.
 */
public final class BcAesEngine extends AesCtrService {

    private final CTRModeCipher ctr = SICBlockCipher.newInstance(AESEngine.newInstance());

    @Override
    byte[] applyCtr(byte[] key, byte[] counterBlock, byte[] text) {
        // A full 16-byte counter block: SIC then wraps modulo 2^128 exactly like the JDK's CTR.
        ctr.init(true, new ParametersWithIV(new KeyParameter(key), counterBlock));
        byte[] out = new byte[text.length];
        ctr.processBytes(text, 0, text.length, out, 0);
        return out;
    }
}

package io.resh.examples.aes;

import org.bouncycastle.crypto.engines.AESLightEngine;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * The AES service over BouncyCastle's {@link AESLightEngine}, which computes the round functions
 * without the large lookup tables of {@code AESEngine}, driven by this class's own counter-mode loop
 * rather than a library mode: both the block cipher and the mode are independent code.
 *
 * <p>Protocol ({@link AesRequests} has the details): {@code 'E'|nonce[16]|plaintext} → ciphertext,
 * {@code 'D'|nonce[16]|ciphertext} → plaintext, {@code 'K'|key} → 3-byte key check value, {@code 'S'}
 * → u64 requests served. AES-CTR, no padding; replies and snapshots are byte-identical to {@link
 * JdkAes} and {@link BcAesEngine}.
 */
public final class BcAesLight extends AesCtrService {

    private final AESLightEngine engine = new AESLightEngine();

    @Override
    byte[] applyCtr(byte[] key, byte[] counterBlock, byte[] text) {
        engine.init(true, new KeyParameter(key));
        int blockBytes = AesRequest.BLOCK_BYTES;
        byte[] counter = counterBlock.clone();
        byte[] keystream = new byte[blockBytes];
        byte[] out = new byte[text.length];
        for (int offset = 0; offset < text.length; offset += blockBytes) {
            engine.processBlock(counter, 0, keystream, 0);
            int n = Math.min(blockBytes, text.length - offset);
            for (int i = 0; i < n; i++) {
                out[offset + i] = (byte) (text[offset + i] ^ keystream[i]);
            }
            increment(counter);
        }
        return out;
    }

    /** Adds one to the counter block as a 128-bit big-endian integer, wrapping at 2^128 (SP 800-38A B.1). */
    private static void increment(byte[] counter) {
        for (int i = counter.length - 1; i >= 0; i--) {
            if (++counter[i] != 0) {
                return;
            }
        }
    }
}

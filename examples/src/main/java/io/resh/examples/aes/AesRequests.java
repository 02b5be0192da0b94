package io.resh.examples.aes;

import java.nio.ByteBuffer;

/**
 * Builds requests for the AES service and reads its replies. This is where the protocol is defined.
 *
 * <pre>
 * request                                   reply
 * 'E' | nonce [16] | plaintext ...          ciphertext (same length as the plaintext)
 * 'D' | nonce [16] | ciphertext ...         plaintext
 * 'K' | key [16, 24 or 32]                  key check value [3] = first 3 bytes of AES_key(0^128)
 * 'S'                                       served u64: well-formed requests executed, this one included
 * </pre>
 *
 * The cipher is AES in counter mode (NIST SP 800-38A): the nonce is the initial 128-bit counter
 * block, incremented as one big-endian integer modulo 2^128 per block; no padding, so any plaintext
 * length works (including 0). In CTR mode decryption is the same operation as encryption; {@code 'D'}
 * exists so clients say what they mean. The key is the service's state: every replica starts with
 * {@link #defaultKey()} and a {@code 'K'} request replaces it for all later requests.
 *
 * <p>A malformed request is answered with an error whose one-line text names what was wrong; it does
 * not change the state.
 */
public final class AesRequests {

    private AesRequests() {
    }

    /** The 16-byte nonce (initial counter block) length. */
    public static final int NONCE_BYTES = AesRequest.BLOCK_BYTES;

    /** The key a fresh replica starts with (the AES-128 example key of NIST SP 800-38A). */
    public static byte[] defaultKey() {
        return AesRequest.DEFAULT_KEY.clone();
    }

    /** {@code 'E' | nonce | plaintext}: encrypt. */
    public static byte[] encrypt(byte[] nonce, byte[] plaintext) {
        return withNonce(AesRequest.Op.ENCRYPT, nonce, plaintext);
    }

    /** {@code 'D' | nonce | ciphertext}: decrypt. */
    public static byte[] decrypt(byte[] nonce, byte[] ciphertext) {
        return withNonce(AesRequest.Op.DECRYPT, nonce, ciphertext);
    }

    /** {@code 'K' | key}: replace the key (16, 24 or 32 bytes). */
    public static byte[] setKey(byte[] key) {
        if (!AesRequest.validKeyLength(key.length)) {
            throw new IllegalArgumentException("an AES key has 16, 24 or 32 bytes, got " + key.length);
        }
        return ByteBuffer.allocate(1 + key.length).put(AesRequest.Op.SET_KEY.code).put(key).array();
    }

    /** {@code 'S'}: ask how many requests the service has executed. */
    public static byte[] served() {
        return new byte[] {AesRequest.Op.SERVED.code};
    }

    /** Reads the reply to {@link #served()}. */
    public static long servedCount(byte[] reply) {
        if (reply.length != Long.BYTES) {
            throw new IllegalArgumentException("a reply to 'S' has 8 bytes, got " + reply.length);
        }
        return ByteBuffer.wrap(reply).getLong();
    }

    private static byte[] withNonce(AesRequest.Op op, byte[] nonce, byte[] text) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("an AES-CTR nonce has " + NONCE_BYTES + " bytes, got " + nonce.length);
        }
        return ByteBuffer.allocate(1 + NONCE_BYTES + text.length).put(op.code).put(nonce).put(text).array();
    }
}

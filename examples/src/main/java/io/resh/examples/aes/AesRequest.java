package io.resh.examples.aes;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * One parsed request of the AES protocol (the layout is in {@link AesRequests}). Parsing is shared
 * by every implementation so that a malformed request gets the same error text from all replicas:
 * the error is voted like any reply.
 *
 * @param op what to do
 * @param nonce the 16-byte initial counter block for {@code ENCRYPT}/{@code DECRYPT}, else empty
 * @param key the new key for {@code SET_KEY}, else empty
 * @param text the plaintext or ciphertext for {@code ENCRYPT}/{@code DECRYPT}, else empty
 */
record AesRequest(Op op, byte[] nonce, byte[] key, byte[] text) {

    /** The operations, by their op byte. */
    enum Op {
        ENCRYPT('E'),
        DECRYPT('D'),
        SET_KEY('K'),
        SERVED('S');

        final byte code;

        Op(char code) {
            this.code = (byte) code;
        }
    }

    static final int BLOCK_BYTES = 16;

    /**
     * The key every replica starts with: the example key of NIST SP 800-38A, appendix F, so a fresh
     * group reproduces the published test vectors without a {@code K} request first.
     */
    static final byte[] DEFAULT_KEY = HexFormat.of().parseHex("2b7e151628aed2a6abf7158809cf4f3c");

    private static final byte[] NONE = new byte[0];

    /**
     * Parses {@code request}.
     *
     * @throws IllegalArgumentException with a one-line reason if the request is malformed
     */
    static AesRequest parse(byte[] request) {
        if (request.length == 0) {
            throw new IllegalArgumentException("AES request is empty: expected an op byte 'E', 'D', 'K' or 'S'");
        }
        byte code = request[0];
        if (code == Op.ENCRYPT.code || code == Op.DECRYPT.code) {
            Op op = code == Op.ENCRYPT.code ? Op.ENCRYPT : Op.DECRYPT;
            if (request.length < 1 + BLOCK_BYTES) {
                throw new IllegalArgumentException(String.format(
                        "AES request '%c' needs a %d-byte nonce after the op byte, got %d bytes",
                        (char) code, BLOCK_BYTES, request.length - 1));
            }
            return new AesRequest(op, Arrays.copyOfRange(request, 1, 1 + BLOCK_BYTES), NONE,
                    Arrays.copyOfRange(request, 1 + BLOCK_BYTES, request.length));
        }
        if (code == Op.SET_KEY.code) {
            int keyBytes = request.length - 1;
            if (!validKeyLength(keyBytes)) {
                throw new IllegalArgumentException(
                        "AES request 'K' carries a " + keyBytes + "-byte key; an AES key has 16, 24 or 32 bytes");
            }
            return new AesRequest(Op.SET_KEY, NONE, Arrays.copyOfRange(request, 1, request.length), NONE);
        }
        if (code == Op.SERVED.code) {
            if (request.length != 1) {
                throw new IllegalArgumentException(
                        "AES request 'S' takes no arguments, got " + (request.length - 1) + " extra bytes");
            }
            return new AesRequest(Op.SERVED, NONE, NONE, NONE);
        }
        throw new IllegalArgumentException(String.format(
                "AES request has unknown op byte 0x%02x; expected 'E', 'D', 'K' or 'S'", code & 0xFF));
    }

    static boolean validKeyLength(int bytes) {
        return bytes == 16 || bytes == 24 || bytes == 32;
    }
}

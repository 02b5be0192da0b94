package io.resh.examples.aes;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * What the three AES implementations share: the protocol ({@link AesRequests}), the state and the
 * snapshot format. Subclasses supply only {@link #applyCtr}, the AES-CTR transformation, each over
 * its own AES code.
 *
 * <p>The state is the key in a plain {@code byte[]} and a {@code long} count of requests served,
 * both fields of the service object. The cipher is keyed from {@link #key} on every request rather
 * than kept keyed between requests, so the array is the one copy of the key: a bit flipped in it
 * shows up in the next reply and in the next checkpoint digest, and is voted out.
 *
 * <p>All implementations must write byte-identical snapshots, since replicas compare snapshot digests:
 * <pre>
 *   0        4     5      6              6+k
 *   +--------+-----+------+--------------+------------+
 *   | 'AESK' | ver | klen |  key [klen]  | served u64 |
 *   +--------+-----+------+--------------+------------+
 *     magic    u8=1  16, 24 or 32
 * </pre>
 */
abstract class AesCtrService implements ReplicatedService {

    private static final int SNAPSHOT_MAGIC = 0x4145534B; // "AESK"
    private static final int SNAPSHOT_VERSION = 1;
    private static final byte[] ZERO_BLOCK = new byte[AesRequest.BLOCK_BYTES];
    private static final int KEY_CHECK_BYTES = 3;

    private byte[] key = AesRequest.DEFAULT_KEY.clone();
    private long served;

    /**
     * Encrypts (equivalently, decrypts) {@code text} with AES-CTR under {@code key}, starting the
     * counter at {@code counterBlock}. Must not modify its arguments.
     */
    abstract byte[] applyCtr(byte[] key, byte[] counterBlock, byte[] text) throws Exception;

    /**
     * As {@link #applyCtr(byte[], byte[], byte[])}, from the remaining bytes of {@code text} into {@code out}
     * (which has room for them); an implementation that can work on buffers overrides it to avoid the copies.
     */
    void applyCtr(byte[] key, byte[] counterBlock, ByteBuffer text, ByteBuffer out) throws Exception {
        byte[] bytes = new byte[text.remaining()];
        text.get(bytes);
        out.put(applyCtr(key, counterBlock, bytes));
    }

    /**
     * Encryption and decryption of a large text straight from the request's buffer into the reply's, which
     * inside a replica are both in the memory it shares with the host; every other request, and every
     * malformed one, goes the way of {@link #execute(byte[], ExecutionContext)}, with the same replies.
     */
    @Override
    public final ByteBuffer execute(ByteBuffer request, ExecutionContext ctx) throws Exception {
        int at = request.position();
        int textBytes = request.remaining() - 1 - AesRequest.BLOCK_BYTES;
        byte code = textBytes > 0 ? request.get(at) : 0;
        if (code != AesRequest.Op.ENCRYPT.code && code != AesRequest.Op.DECRYPT.code) {
            return ReplicatedService.super.execute(request, ctx);
        }
        byte[] nonce = new byte[AesRequest.BLOCK_BYTES];
        request.get(at + 1, nonce);
        ByteBuffer reply = ctx.replyBuffer(textBytes);
        applyCtr(key, nonce, request.slice(at + 1 + AesRequest.BLOCK_BYTES, textBytes), reply);
        served++;
        return reply.flip();
    }

    @Override
    public final byte[] execute(byte[] request, ExecutionContext ctx) throws Exception {
        AesRequest parsed = AesRequest.parse(request);
        byte[] reply;
        switch (parsed.op()) {
            case ENCRYPT:
            case DECRYPT:
                reply = applyCtr(key, parsed.nonce(), parsed.text());
                break;
            case SET_KEY:
                // A key check value lets the client confirm every replica now holds the key it sent.
                reply = Arrays.copyOf(applyCtr(parsed.key(), ZERO_BLOCK, ZERO_BLOCK), KEY_CHECK_BYTES);
                key = parsed.key();
                break;
            case SERVED:
                reply = ByteBuffer.allocate(Long.BYTES).putLong(served + 1).array();
                break;
            default:
                throw new IllegalStateException("unhandled op " + parsed.op());
        }
        served++;
        return reply;
    }

    @Override
    public final void snapshot(OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(out);
        data.writeInt(SNAPSHOT_MAGIC);
        data.writeByte(SNAPSHOT_VERSION);
        data.writeByte(key.length);
        data.write(key);
        data.writeLong(served);
        data.flush();
    }

    @Override
    public final void restore(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(in);
        try {
            int magic = data.readInt();
            if (magic != SNAPSHOT_MAGIC) {
                throw new IOException(String.format("not an AES service snapshot: magic 0x%08x, expected 0x%08x 'AESK'",
                        magic, SNAPSHOT_MAGIC));
            }
            int version = data.readUnsignedByte();
            if (version != SNAPSHOT_VERSION) {
                throw new IOException("unsupported AES snapshot version " + version + " (this service reads "
                        + SNAPSHOT_VERSION + ")");
            }
            int keyBytes = data.readUnsignedByte();
            if (!AesRequest.validKeyLength(keyBytes)) {
                throw new IOException("corrupt AES snapshot: key length " + keyBytes + " at byte 5 (must be 16, 24 or 32)");
            }
            byte[] restoredKey = new byte[keyBytes];
            data.readFully(restoredKey);
            long restoredServed = data.readLong();
            if (restoredServed < 0) {
                throw new IOException("corrupt AES snapshot: negative served count " + restoredServed);
            }
            if (data.read() >= 0) {
                throw new IOException("corrupt AES snapshot: trailing bytes after byte " + (14 + keyBytes));
            }
            key = restoredKey;
            served = restoredServed;
        } catch (EOFException e) {
            throw new IOException("truncated AES snapshot: it ends before the key and served count are complete", e);
        }
    }
}

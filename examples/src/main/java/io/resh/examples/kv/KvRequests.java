package io.resh.examples.kv;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The protocol of {@link KvStore}: builds request bytes and decodes reply bytes. This is where the
 * protocol is defined. All integers are big-endian; keys are UTF-8.
 *
 * <pre>
 * request (op byte, then fields)                                         reply
 * 'S' SET    | klen u16 | key | vlen u32 | value                         OK
 * 'G' GET    | klen u16 | key                                            VALUE or NIL
 * 'D' DEL    | klen u16 | key                                            INT 1 removed, 0 absent
 * 'I' INCR   | klen u16 | key | delta i64                                INT the new value
 * 'C' CAS    | klen u16 | key | elen u32 | expected | vlen u32 | value   INT 1 swapped, 0 not
 * 'Z' SIZE                                                               INT number of keys
 * 'T' TOUCH  | klen u16 | key                                            INT the new modification time, or NIL
 * 'M' MTIME  | klen u16 | key                                            INT the modification time, or NIL
 *
 * reply:  'O' OK  |  'N' NIL  |  'V' value bytes ...  |  'I' i64
 * </pre>
 *
 * <ul>
 *   <li>{@code INCR} keeps counters as decimal ASCII text (as Redis does), so {@code GET} reads them;
 *       an absent key counts from 0. A value that is not a decimal integer, or a result outside the
 *       signed 64-bit range, is an error.
 *   <li>{@code CAS} writes the new value only if the current value equals the expected one byte for
 *       byte; {@code elen} = 0xFFFFFFFF (no expected bytes follow) expects the key to be absent, which
 *       makes {@code CAS} a create-if-absent.
 *   <li>Every write ({@code SET}, {@code INCR}, a successful {@code CAS}, {@code TOUCH}) stamps the
 *       entry with the request's time as chosen by the host (the {@link io.resh.replica.ExecutionContext}),
 *       so every replica records the same time.
 *   <li>A malformed request, or an {@code INCR} of a non-number, is answered with an error whose
 *       one-line text names the op, the field and the byte; it changes nothing.
 * </ul>
 */
public final class KvRequests {

    static final byte REPLY_OK = 'O';
    static final byte REPLY_NIL = 'N';
    static final byte REPLY_VALUE = 'V';
    static final byte REPLY_INT = 'I';

    private KvRequests() {
    }

    /** {@code SET key value}. */
    public static byte[] set(String key, byte[] value) {
        byte[] k = keyBytes(key);
        return ByteBuffer.allocate(1 + 2 + k.length + 4 + value.length)
                .put(KvRequest.Op.SET.code).putShort((short) k.length).put(k).putInt(value.length).put(value).array();
    }

    /** {@code SET key value} with the value as UTF-8 text. */
    public static byte[] set(String key, String value) {
        return set(key, value.getBytes(StandardCharsets.UTF_8));
    }

    /** {@code GET key}. */
    public static byte[] get(String key) {
        return keyOnly(KvRequest.Op.GET, key);
    }

    /** {@code DEL key}. */
    public static byte[] del(String key) {
        return keyOnly(KvRequest.Op.DEL, key);
    }

    /** {@code INCR key} by one. */
    public static byte[] incr(String key) {
        return incrBy(key, 1);
    }

    /** {@code INCR key} by {@code delta} (may be negative). */
    public static byte[] incrBy(String key, long delta) {
        byte[] k = keyBytes(key);
        return ByteBuffer.allocate(1 + 2 + k.length + 8)
                .put(KvRequest.Op.INCR.code).putShort((short) k.length).put(k).putLong(delta).array();
    }

    /**
     * {@code CAS key expected value}: replace the value if it currently equals {@code expected}.
     *
     * @param expected the value the key must hold, or null if the key must be absent
     */
    public static byte[] cas(String key, byte[] expected, byte[] value) {
        byte[] k = keyBytes(key);
        int expectedBytes = expected == null ? 0 : expected.length;
        ByteBuffer buf = ByteBuffer.allocate(1 + 2 + k.length + 4 + expectedBytes + 4 + value.length)
                .put(KvRequest.Op.CAS.code).putShort((short) k.length).put(k);
        if (expected == null) {
            buf.putInt(KvRequest.ABSENT);
        } else {
            buf.putInt(expected.length).put(expected);
        }
        return buf.putInt(value.length).put(value).array();
    }

    /** {@code SIZE}: the number of keys. */
    public static byte[] size() {
        return new byte[] {KvRequest.Op.SIZE.code};
    }

    /** {@code TOUCH key}: stamp the key with the request's time without changing its value. */
    public static byte[] touch(String key) {
        return keyOnly(KvRequest.Op.TOUCH, key);
    }

    /** {@code MTIME key}: when the key was last written, in epoch milliseconds of the host's clock. */
    public static byte[] mtime(String key) {
        return keyOnly(KvRequest.Op.MTIME, key);
    }

    /**
     * Decodes reply bytes.
     *
     * @throws IllegalArgumentException if {@code reply} is not a reply of this protocol
     */
    public static KvReply decodeReply(byte[] reply) {
        if (reply.length == 0) {
            throw new IllegalArgumentException("KV reply is empty: expected a type byte O, N, V or I");
        }
        byte type = reply[0];
        if (type == REPLY_OK && reply.length == 1) {
            return KvReply.OK;
        }
        if (type == REPLY_NIL && reply.length == 1) {
            return KvReply.NIL;
        }
        if (type == REPLY_VALUE) {
            return new KvReply.Value(Arrays.copyOfRange(reply, 1, reply.length));
        }
        if (type == REPLY_INT && reply.length == 1 + Long.BYTES) {
            return new KvReply.Int(ByteBuffer.wrap(reply, 1, Long.BYTES).getLong());
        }
        throw new IllegalArgumentException(String.format("not a KV reply: type byte 0x%02x with %d bytes after it",
                type & 0xFF, reply.length - 1));
    }

    /** The bytes of {@code reply} (the inverse of {@link #decodeReply}). */
    static byte[] encodeReply(KvReply reply) {
        if (reply instanceof KvReply.Ok) {
            return new byte[] {REPLY_OK};
        }
        if (reply instanceof KvReply.Nil) {
            return new byte[] {REPLY_NIL};
        }
        if (reply instanceof KvReply.Value v) {
            byte[] bytes = v.bytes();
            return ByteBuffer.allocate(1 + bytes.length).put(REPLY_VALUE).put(bytes).array();
        }
        KvReply.Int i = (KvReply.Int) reply;
        return ByteBuffer.allocate(1 + Long.BYTES).put(REPLY_INT).putLong(i.value()).array();
    }

    private static byte[] keyOnly(KvRequest.Op op, String key) {
        byte[] k = keyBytes(key);
        return ByteBuffer.allocate(1 + 2 + k.length).put(op.code).putShort((short) k.length).put(k).array();
    }

    /** Strict UTF-8: a key with an unpaired surrogate would otherwise turn silently into a different key. */
    static byte[] keyBytes(String key) {
        ByteBuffer encoded;
        try {
            encoded = StandardCharsets.UTF_8.newEncoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .encode(CharBuffer.wrap(key));
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("a KV key must be valid Unicode; this one has an unpaired surrogate");
        }
        byte[] bytes = Arrays.copyOf(encoded.array(), encoded.limit());
        if (bytes.length > KvRequest.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("a KV key has at most " + KvRequest.MAX_KEY_BYTES
                    + " UTF-8 bytes, this one has " + bytes.length);
        }
        return bytes;
    }
}

package io.resh.examples.kv;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One parsed request of the key-value protocol (the layout is in {@link KvRequests}). Any malformed
 * request is refused with a one-line {@link IllegalArgumentException} naming the op, the field and the
 * byte offset; every replica refuses it with the same text.
 *
 * @param op the operation
 * @param key the key (empty for {@code SIZE})
 * @param value the value of {@code SET}, the new value of {@code CAS}, else null
 * @param expected the expected value of {@code CAS}, null to expect the key absent
 * @param delta the increment of {@code INCR}, else 0
 */
record KvRequest(Op op, KvKey key, byte[] value, byte[] expected, long delta) {

    /** The operations, by op byte. */
    enum Op {
        SET('S'),
        GET('G'),
        DEL('D'),
        INCR('I'),
        CAS('C'),
        SIZE('Z'),
        TOUCH('T'),
        MTIME('M');

        final byte code;

        Op(char code) {
            this.code = (byte) code;
        }

        static Op of(byte code) {
            for (Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            return null;
        }
    }

    static final int MAX_KEY_BYTES = 0xFFFF;
    private static final KvKey NO_KEY = KvKey.of("");
    /** Length written in place of {@code CAS}'s expected value to mean "the key must be absent". */
    static final int ABSENT = -1;

    static KvRequest parse(byte[] request) {
        if (request.length == 0) {
            throw new IllegalArgumentException("KV request is empty: expected an op byte (S G D I C Z T M)");
        }
        Op op = Op.of(request[0]);
        if (op == null) {
            throw new IllegalArgumentException(String.format(
                    "KV request has unknown op byte 0x%02x; expected one of S G D I C Z T M", request[0] & 0xFF));
        }
        Fields fields = new Fields(op, request);
        KvRequest parsed;
        switch (op) {
            case SET:
                parsed = new KvRequest(op, fields.key(), fields.bytes("value"), null, 0);
                break;
            case INCR:
                parsed = new KvRequest(op, fields.key(), null, null, fields.i64("delta"));
                break;
            case CAS: {
                KvKey key = fields.key();
                byte[] expected = fields.bytesOrAbsent("expected value");
                parsed = new KvRequest(op, key, fields.bytes("new value"), expected, 0);
                break;
            }
            case SIZE:
                parsed = new KvRequest(op, NO_KEY, null, null, 0);
                break;
            default:
                parsed = new KvRequest(op, fields.key(), null, null, 0);
        }
        fields.end();
        return parsed;
    }

    /** Reads length-prefixed fields from a request, naming the offending field and byte in errors. */
    private static final class Fields {
        private final Op op;
        private final ByteBuffer buf;

        Fields(Op op, byte[] request) {
            this.op = op;
            this.buf = ByteBuffer.wrap(request);
            buf.position(1);
        }

        KvKey key() {
            int at = buf.position();
            need(2, "key length");
            int length = buf.getShort() & 0xFFFF;
            if (length > buf.remaining()) {
                take(length, "key", at); // throws with the field's name and offsets
            }
            byte[] bytes = buf.array();
            int start = buf.position();
            buf.position(start + length);
            // Every replica parses every key: hash it while checking for ASCII, which needs no decoder.
            int h = 1;
            boolean ascii = true;
            for (int i = start; i < start + length; i++) {
                byte b = bytes[i];
                ascii &= b >= 0;
                h = 31 * h + b;
            }
            if (!ascii) {
                try {
                    StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(bytes, start, length));
                } catch (CharacterCodingException e) {
                    throw new IllegalArgumentException(fail("key at byte " + (at + 2) + " is not valid UTF-8"));
                }
            }
            return new KvKey(bytes, start, length, h);
        }

        byte[] bytes(String field) {
            int at = buf.position();
            need(4, field + " length");
            int length = buf.getInt();
            if (length < 0) {
                throw new IllegalArgumentException(fail(field + " length " + Integer.toUnsignedString(length)
                        + " at byte " + at + " is larger than any request"));
            }
            return take(length, field, at);
        }

        byte[] bytesOrAbsent(String field) {
            if (buf.remaining() >= 4 && buf.getInt(buf.position()) == ABSENT) {
                buf.position(buf.position() + 4);
                return null;
            }
            return bytes(field);
        }

        long i64(String field) {
            need(8, field);
            return buf.getLong();
        }

        void end() {
            if (buf.hasRemaining()) {
                throw new IllegalArgumentException(fail(buf.remaining() + " unexpected bytes after the last field, at byte "
                        + buf.position()));
            }
        }

        private byte[] take(int length, String field, int lengthAt) {
            if (length > buf.remaining()) {
                throw new IllegalArgumentException(fail(field + " length " + length + " at byte " + lengthAt
                        + " exceeds the " + buf.remaining() + " bytes left"));
            }
            byte[] out = Arrays.copyOfRange(buf.array(), buf.position(), buf.position() + length);
            buf.position(buf.position() + length);
            return out;
        }

        private void need(int bytes, String field) {
            if (buf.remaining() < bytes) {
                throw new IllegalArgumentException(fail("truncated at byte " + buf.position() + ": the " + field
                        + " needs " + bytes + " bytes, " + buf.remaining() + " left"));
            }
        }

        private String fail(String reason) {
            return "KV request " + op + ": " + reason;
        }
    }
}

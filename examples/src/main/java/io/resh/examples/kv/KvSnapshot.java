package io.resh.examples.kv;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.zip.CRC32;

/**
 * The snapshot format of {@link KvStore}, version 1. All integers big-endian.
 *
 * <pre>
 *   0        4     5             9
 *   +--------+-----+-------------+--------------------------+-----------+
 *   | 'RKVS' | ver | entries u32 |  entry × entries         | crc32 u32 |
 *   +--------+-----+-------------+--------------------------+-----------+
 *     magic    u8=1
 *
 *   entry:  klen u16 | key UTF-8 [klen] | modified i64 | vlen u32 | value [vlen]
 *   crc32:  CRC-32 of every byte before it
 * </pre>
 *
 * Entries are written in ascending key order ({@link String#compareTo}), which makes the bytes a
 * function of the state alone: equal stores write equal snapshots and equal digests. The reader
 * checks the checksum before trusting any length field, then refuses keys out of order, duplicates,
 * and bytes left over, so a corrupt snapshot is rejected whole and never half-applied.
 */
final class KvSnapshot {

    private static final int MAGIC = 0x524B5653; // "RKVS"
    private static final int VERSION = 1;
    private static final int HEADER_BYTES = 9;
    private static final int CRC_BYTES = 4;
    private static final int CHUNK_BYTES = 64 * 1024;
    /** A value this large goes to the stream from its own array: copying it into the chunk first would cost more than the call. */
    private static final int DIRECT_VALUE_BYTES = 4096;

    private KvSnapshot() {
    }

    /**
     * Writes entries already in the snapshot's key order ({@code keys[i]} the UTF-8 of the key of {@code
     * entries[i]}). Small entries are gathered in one chunk buffer and handed to {@code out} a chunk at a
     * time, a value of {@value #DIRECT_VALUE_BYTES} bytes or more straight from its array, so a store of any
     * size is written without a stream call per field or a copy of the whole state.
     */
    static void write(byte[][] keys, KvEntry[] entries, OutputStream out) throws IOException {
        CRC32 crc = new CRC32();
        ByteBuffer chunk = ByteBuffer.allocate(CHUNK_BYTES);
        chunk.putInt(MAGIC).put((byte) VERSION).putInt(keys.length);
        for (int i = 0; i < keys.length; i++) {
            byte[] key = keys[i];
            byte[] value = entries[i].value();
            int fields = 2 + key.length + 8 + 4;
            if (chunk.remaining() < fields) {
                drain(chunk, crc, out);
            }
            if (chunk.remaining() < fields) { // a key longer than a chunk: keys are at most 64 KiB - 1
                chunk = ByteBuffer.allocate(fields + CHUNK_BYTES);
            }
            chunk.putShort((short) key.length).put(key).putLong(entries[i].modifiedMillis()).putInt(value.length);
            if (value.length < DIRECT_VALUE_BYTES && chunk.remaining() >= value.length) {
                chunk.put(value);
            } else {
                drain(chunk, crc, out);
                crc.update(value);
                out.write(value);
            }
        }
        drain(chunk, crc, out);
        out.write(chunk.putInt((int) crc.getValue()).array(), 0, CRC_BYTES);
        out.flush();
    }

    private static void drain(ByteBuffer chunk, CRC32 crc, OutputStream out) throws IOException {
        crc.update(chunk.array(), 0, chunk.position());
        out.write(chunk.array(), 0, chunk.position());
        chunk.clear();
    }

    static HashMap<String, KvEntry> read(InputStream in) throws IOException {
        byte[] bytes = in.readAllBytes();
        if (bytes.length < HEADER_BYTES + CRC_BYTES) {
            throw new IOException("truncated KV snapshot: " + bytes.length + " bytes, a snapshot has at least "
                    + (HEADER_BYTES + CRC_BYTES));
        }
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        int magic = buf.getInt();
        if (magic != MAGIC) {
            throw new IOException(String.format("not a KV store snapshot: magic 0x%08x, expected 0x%08x 'RKVS'", magic, MAGIC));
        }
        int version = buf.get() & 0xFF;
        if (version != VERSION) {
            throw new IOException("unsupported KV snapshot version " + version + " (this store reads " + VERSION + ")");
        }
        int bodyEnd = bytes.length - CRC_BYTES;
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bodyEnd);
        int stored = buf.getInt(bodyEnd);
        if (stored != (int) crc.getValue()) {
            throw new IOException(String.format("corrupt KV snapshot: CRC-32 mismatch (stored 0x%08x, computed 0x%08x over %d bytes)",
                    stored, (int) crc.getValue(), bodyEnd));
        }
        buf.limit(bodyEnd);
        long count = buf.getInt() & 0xFFFF_FFFFL;
        HashMap<String, KvEntry> entries = new HashMap<>((int) Math.min(count * 4 / 3 + 1, 1 << 20));
        String previous = null;
        for (long i = 0; i < count; i++) {
            int at = buf.position();
            try {
                String key = key(buf, i, at);
                long modified = buf.getLong();
                int valueBytes = buf.getInt();
                if (valueBytes < 0 || valueBytes > buf.remaining()) {
                    throw new IOException("corrupt KV snapshot: entry " + i + " (byte " + at + ") declares a "
                            + Integer.toUnsignedString(valueBytes) + "-byte value, " + buf.remaining() + " bytes remain");
                }
                byte[] value = new byte[valueBytes];
                buf.get(value);
                if (previous != null && previous.compareTo(key) >= 0) {
                    throw new IOException("corrupt KV snapshot: entry " + i + " (byte " + at + ") is out of key order");
                }
                entries.put(key, new KvEntry(value, modified));
                previous = key;
            } catch (BufferUnderflowException e) {
                throw new IOException("corrupt KV snapshot: entry " + i + " of " + count + " (byte " + at
                        + ") runs past the end of the snapshot", e);
            }
        }
        if (buf.hasRemaining()) {
            throw new IOException("corrupt KV snapshot: " + buf.remaining() + " bytes after the last of " + count
                    + " entries, at byte " + buf.position());
        }
        return entries;
    }

    private static String key(ByteBuffer buf, long index, int at) throws IOException {
        int keyBytes = buf.getShort() & 0xFFFF;
        if (keyBytes > buf.remaining()) {
            throw new IOException("corrupt KV snapshot: entry " + index + " (byte " + at + ") declares a "
                    + keyBytes + "-byte key, " + buf.remaining() + " bytes remain");
        }
        ByteBuffer utf8 = buf.slice(buf.position(), keyBytes);
        buf.position(buf.position() + keyBytes);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(utf8).toString();
        } catch (CharacterCodingException e) {
            throw new IOException("corrupt KV snapshot: entry " + index + " (byte " + at + ") has a key that is not valid UTF-8");
        }
    }
}

package io.resh.examples.kv;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;

class KvSnapshotTest {

    /** The snapshot of {@code entries}, put in key order as the store does. */
    private static byte[] write(Map<String, KvEntry> entries) throws IOException {
        String[] texts = entries.keySet().toArray(new String[0]);
        Arrays.sort(texts);
        byte[][] keys = new byte[texts.length][];
        KvEntry[] values = new KvEntry[texts.length];
        for (int i = 0; i < texts.length; i++) {
            keys[i] = texts[i].getBytes(StandardCharsets.UTF_8);
            values[i] = entries.get(texts[i]);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        KvSnapshot.write(keys, values, out);
        return out.toByteArray();
    }

    private static Map<String, KvEntry> read(byte[] snapshot) throws IOException {
        return KvSnapshot.read(new ByteArrayInputStream(snapshot));
    }

    /** A snapshot body (magic, version, count, entries) sealed with a correct CRC, to test the checks after it. */
    private static byte[] sealed(ByteBuffer body) {
        byte[] bytes = Arrays.copyOf(body.array(), body.position());
        CRC32 crc = new CRC32();
        crc.update(bytes);
        return ByteBuffer.allocate(bytes.length + 4).put(bytes).putInt((int) crc.getValue()).array();
    }

    private static ByteBuffer header(int count) {
        return ByteBuffer.allocate(256).putInt(0x524B5653).put((byte) 1).putInt(count);
    }

    private static void entry(ByteBuffer buf, String key, long modified, String value) {
        byte[] k = key.getBytes(StandardCharsets.UTF_8);
        byte[] v = value.getBytes(StandardCharsets.UTF_8);
        buf.putShort((short) k.length).put(k).putLong(modified).putInt(v.length).put(v);
    }

    @Test
    void shouldWriteTheDocumentedLayout() throws IOException {
        TreeMap<String, KvEntry> entries = new TreeMap<>();
        entries.put("k", new KvEntry(new byte[] {'v'}, 0x0102));
        ByteBuffer expected = header(1);
        entry(expected, "k", 0x0102, "v");
        assertThat(HexFormat.of().formatHex(write(entries))).isEqualTo(HexFormat.of().formatHex(sealed(expected)));
    }

    @Test
    void shouldRoundTripEntriesWithTheirTimes() throws IOException {
        TreeMap<String, KvEntry> entries = new TreeMap<>();
        entries.put("b", new KvEntry(new byte[] {1, 2}, 20));
        entries.put("a", new KvEntry(new byte[0], -1));
        Map<String, KvEntry> back = read(write(entries));
        assertThat(back.keySet()).containsExactlyInAnyOrder("a", "b");
        assertThat(back.get("b").value()).containsExactly(1, 2);
        assertThat(back.get("b").modifiedMillis()).isEqualTo(20);
        assertThat(back.get("a").modifiedMillis()).isEqualTo(-1);
    }

    @Test
    void shouldWriteTheSameBytesWhateverOrderTheEntriesWereMadeIn() throws IOException {
        List<String> keys = List.of("zeta", "a", "été", "key-000000000017", "", "B", "key-000000000007");
        Map<String, KvEntry> forward = new LinkedHashMap<>();
        Map<String, KvEntry> backward = new HashMap<>();
        for (int i = 0; i < keys.size(); i++) {
            forward.put(keys.get(i), new KvEntry(new byte[] {(byte) i}, i));
            backward.put(keys.get(keys.size() - 1 - i), new KvEntry(new byte[] {(byte) (keys.size() - 1 - i)}, keys.size() - 1 - i));
        }
        byte[] snapshot = write(forward);
        assertThat(write(backward)).isEqualTo(snapshot);
        assertThat(write(new TreeMap<>(forward))).isEqualTo(snapshot);
        assertThat(read(snapshot)).containsOnlyKeys(keys);
    }

    /**
     * Entries that straddle, fill and exceed the writer's 64 KiB chunk, values on both sides of the size it
     * writes from their own arrays, and the longest key a request can carry.
     */
    @Test
    void shouldWriteTheDocumentedLayoutForEntriesLargerThanItsBuffer() throws IOException {
        String longKey = "k".repeat(65_535);
        Map<String, KvEntry> entries = new TreeMap<>();
        entries.put("a", new KvEntry(filled(65_000, 'a'), 1));
        entries.put("b", new KvEntry(filled(65_536, 'b'), 2));
        entries.put("c", new KvEntry(filled(200_000, 'c'), 3));
        entries.put("d", new KvEntry(filled(10, 'd'), 4));
        entries.put("d1", new KvEntry(filled(4_095, 'f'), 6));
        entries.put("d2", new KvEntry(filled(4_096, 'g'), 7));
        entries.put("d3", new KvEntry(filled(0, 'h'), 8));
        entries.put(longKey, new KvEntry(filled(3, 'e'), 5));

        ByteBuffer expected = ByteBuffer.allocate(1 << 20).putInt(0x524B5653).put((byte) 1).putInt(entries.size());
        entries.forEach((k, e) -> {
            byte[] key = k.getBytes(StandardCharsets.UTF_8);
            expected.putShort((short) key.length).put(key).putLong(e.modifiedMillis()).putInt(e.value().length).put(e.value());
        });
        byte[] snapshot = write(entries);
        assertThat(snapshot).isEqualTo(sealed(expected));
        assertThat(read(snapshot).get("c").value()).isEqualTo(filled(200_000, 'c'));
    }

    private static byte[] filled(int length, char c) {
        byte[] bytes = new byte[length];
        Arrays.fill(bytes, (byte) c);
        return bytes;
    }

    @Test
    void shouldRejectEveryFlippedBit() throws IOException {
        TreeMap<String, KvEntry> entries = new TreeMap<>();
        entries.put("x", new KvEntry(new byte[] {9}, 1));
        byte[] good = write(entries);
        for (int bit = 0; bit < good.length * 8; bit++) {
            byte[] bad = good.clone();
            bad[bit / 8] ^= (byte) (1 << (bit % 8));
            assertThatThrownBy(() -> read(bad)).as("bit %d", bit).isInstanceOf(IOException.class);
        }
    }

    @Test
    void shouldNameWhatIsWrong() {
        ByteBuffer wrongMagic = ByteBuffer.allocate(16).putInt(0x12345678).put((byte) 1).putInt(0);
        assertThatThrownBy(() -> read(sealed(wrongMagic)))
                .hasMessage("not a KV store snapshot: magic 0x12345678, expected 0x524b5653 'RKVS'");

        ByteBuffer wrongVersion = ByteBuffer.allocate(16).putInt(0x524B5653).put((byte) 7).putInt(0);
        assertThatThrownBy(() -> read(sealed(wrongVersion)))
                .hasMessage("unsupported KV snapshot version 7 (this store reads 1)");

        assertThatThrownBy(() -> read(new byte[5]))
                .hasMessage("truncated KV snapshot: 5 bytes, a snapshot has at least 13");

        ByteBuffer outOfOrder = header(2);
        entry(outOfOrder, "b", 0, "1");
        entry(outOfOrder, "a", 0, "2");
        assertThatThrownBy(() -> read(sealed(outOfOrder)))
                .hasMessage("corrupt KV snapshot: entry 1 (byte 25) is out of key order");

        ByteBuffer duplicate = header(2);
        entry(duplicate, "a", 0, "1");
        entry(duplicate, "a", 0, "2");
        assertThatThrownBy(() -> read(sealed(duplicate))).hasMessageContaining("entry 1 (byte 25) is out of key order");

        ByteBuffer tooFew = header(3);
        entry(tooFew, "a", 0, "1");
        assertThatThrownBy(() -> read(sealed(tooFew)))
                .hasMessage("corrupt KV snapshot: entry 1 of 3 (byte 25) runs past the end of the snapshot");

        ByteBuffer trailing = header(1);
        entry(trailing, "a", 0, "1");
        trailing.put((byte) 0);
        assertThatThrownBy(() -> read(sealed(trailing)))
                .hasMessage("corrupt KV snapshot: 1 bytes after the last of 1 entries, at byte 25");

        ByteBuffer hugeValue = header(1);
        hugeValue.putShort((short) 1).put((byte) 'a').putLong(0).putInt(1000);
        assertThatThrownBy(() -> read(sealed(hugeValue)))
                .hasMessage("corrupt KV snapshot: entry 0 (byte 9) declares a 1000-byte value, 0 bytes remain");

        ByteBuffer badUtf8 = header(1);
        badUtf8.putShort((short) 1).put((byte) 0xC3).putLong(0).putInt(0);
        assertThatThrownBy(() -> read(sealed(badUtf8)))
                .hasMessage("corrupt KV snapshot: entry 0 (byte 9) has a key that is not valid UTF-8");
    }
}

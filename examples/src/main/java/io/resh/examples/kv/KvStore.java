package io.resh.examples.kv;

import io.resh.replica.ExecutionContext;
import io.resh.replica.ReplicatedService;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A key-value store run as a replicated service: {@code SET}, {@code GET}, {@code DEL}, {@code INCR},
 * {@code CAS}, {@code SIZE}, {@code TOUCH}, {@code MTIME} over a binary protocol defined in {@link
 * KvRequests}; replies decode with {@link KvRequests#decodeReply}.
 *
 * <p>Deterministic by construction: no reply depends on the entries' hash order (the snapshot sorts
 * the keys, {@code SIZE} only counts them); modification times are the host's ({@link
 * ExecutionContext#timeMillis()}), never this process's clock, so all replicas store the same times. The snapshot ({@link KvSnapshot}) writes the
 * entries in key order with a CRC-32; {@code restore} refuses a corrupt one with an {@link IOException}
 * that says what is wrong and leaves the store as it was.
 */
public final class KvStore implements ReplicatedService {

    private static final byte[] ZERO = {'0'};
    private static final int MAX_DECIMAL_CHARS = 20; // "-9223372036854775808"
    private static final int MAX_KEY_IN_MESSAGE = 40;

    private HashMap<KvKey, KvEntry> entries = new HashMap<>();
    /**
     * The keys in snapshot order with their entries, kept between checkpoints and dropped when a key is
     * added or removed: entries are rewritten in place, so while the set of keys stays the same (the
     * common case for a store checkpointed every few thousand requests) a snapshot neither sorts nor
     * looks anything up. Null when it must be rebuilt.
     */
    private SnapshotOrder order;

    @Override
    public byte[] execute(byte[] request, ExecutionContext ctx) {
        KvRequest r = KvRequest.parse(request);
        return KvRequests.encodeReply(apply(r, ctx.timeMillis()));
    }

    private KvReply apply(KvRequest r, long now) {
        switch (r.op()) {
            case SET:
                write(r.key(), r.value(), now);
                return KvReply.OK;
            case GET: {
                KvEntry e = entries.get(r.key());
                return e == null ? KvReply.NIL : new KvReply.Value(e.value());
            }
            case DEL: {
                boolean removed = entries.remove(r.key()) != null;
                if (removed) {
                    order = null;
                }
                return new KvReply.Int(removed ? 1 : 0);
            }
            case INCR: {
                KvEntry e = entries.get(r.key());
                long current = decimal(r.key(), e == null ? ZERO : e.value());
                long next;
                try {
                    next = Math.addExact(current, r.delta());
                } catch (ArithmeticException overflow) {
                    throw new IllegalArgumentException("KV INCR " + shown(r.key()) + ": " + current + " + " + r.delta()
                            + " overflows a signed 64-bit integer");
                }
                write(r.key(), Long.toString(next).getBytes(StandardCharsets.US_ASCII), now);
                return new KvReply.Int(next);
            }
            case CAS: {
                KvEntry e = entries.get(r.key());
                boolean matches = e == null ? r.expected() == null
                        : r.expected() != null && Arrays.equals(e.value(), r.expected());
                if (matches) {
                    write(r.key(), r.value(), now);
                }
                return new KvReply.Int(matches ? 1 : 0);
            }
            case SIZE:
                return new KvReply.Int(entries.size());
            case TOUCH: {
                KvEntry e = entries.get(r.key());
                if (e == null) {
                    return KvReply.NIL;
                }
                e.touch(now);
                return new KvReply.Int(now);
            }
            case MTIME: {
                KvEntry e = entries.get(r.key());
                return e == null ? KvReply.NIL : new KvReply.Int(e.modifiedMillis());
            }
            default:
                throw new IllegalStateException("unhandled op " + r.op());
        }
    }

    /** Rewrites an existing entry in place; a new key is copied out of its request before it is kept. */
    private void write(KvKey key, byte[] value, long now) {
        KvEntry e = entries.get(key);
        if (e != null) {
            e.set(value, now);
        } else {
            entries.put(key.detached(), new KvEntry(value, now));
            order = null;
        }
    }

    /** Strict decimal: optional '-', ASCII digits only, no '+', no spaces, within 64 bits. */
    private static long decimal(KvKey key, byte[] value) {
        boolean wellFormed = value.length > 0 && value.length <= MAX_DECIMAL_CHARS;
        for (int i = 0; wellFormed && i < value.length; i++) {
            byte b = value[i];
            wellFormed = (b >= '0' && b <= '9') || (b == '-' && i == 0 && value.length > 1);
        }
        try {
            if (wellFormed) {
                return Long.parseLong(new String(value, StandardCharsets.US_ASCII));
            }
        } catch (NumberFormatException outOfRange) {
            // falls through to the same error as any other non-number
        }
        throw new IllegalArgumentException("KV INCR " + shown(key) + ": the value is not a decimal 64-bit integer");
    }

    /** The key as an error message shows it: short, and on one line whatever bytes it holds. */
    private static String shown(KvKey k) {
        String key = k.text();
        String head = key.length() <= MAX_KEY_IN_MESSAGE ? key : key.substring(0, MAX_KEY_IN_MESSAGE) + "…";
        StringBuilder out = new StringBuilder("'");
        head.codePoints().forEach(c -> out.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return out.append('\'').toString();
    }

    @Override
    public void snapshot(OutputStream out) throws IOException {
        if (order == null) {
            order = SnapshotOrder.of(entries);
        }
        KvSnapshot.write(order.keys(), order.entries(), out);
    }

    @Override
    public void restore(InputStream in) throws IOException {
        Map<String, KvEntry> byText = KvSnapshot.read(in);
        HashMap<KvKey, KvEntry> restored = new HashMap<>((int) (byText.size() / 0.75f) + 1);
        byText.forEach((k, e) -> restored.put(KvKey.of(k), e));
        entries = restored;
        order = null;
    }

    /** Keys (their UTF-8) in {@link String#compareTo} order, the order {@link KvSnapshot} writes, and their entries. */
    private record SnapshotOrder(byte[][] keys, KvEntry[] entries) {
        static SnapshotOrder of(Map<KvKey, KvEntry> store) {
            // Sorted as text, not as bytes: UTF-16 order and UTF-8 byte order differ for characters above U+FFFF.
            Keyed[] sorted = new Keyed[store.size()];
            int n = 0;
            for (Map.Entry<KvKey, KvEntry> e : store.entrySet()) {
                sorted[n++] = new Keyed(e.getKey().text(), e.getKey(), e.getValue());
            }
            Arrays.sort(sorted);
            byte[][] keys = new byte[n][];
            KvEntry[] entries = new KvEntry[n];
            for (int i = 0; i < n; i++) {
                keys[i] = sorted[i].key.bytes(); // a stored key is detached: its own array
                entries[i] = sorted[i].entry;
            }
            return new SnapshotOrder(keys, entries);
        }

        private record Keyed(String text, KvKey key, KvEntry entry) implements Comparable<Keyed> {
            @Override
            public int compareTo(Keyed o) {
                return text.compareTo(o.text);
            }
        }
    }
}

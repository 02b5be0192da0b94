package io.resh.examples.kv;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A key as its UTF-8 bytes (checked to be valid UTF-8 when parsed, so equal keys have equal bytes),
 * hashed once. A key parsed from a request points into the request's array; {@link #detached} copies
 * it before the store keeps it, so the store never holds on to a whole request for its key.
 */
final class KvKey {
    private final byte[] bytes;
    private final int from;
    private final int length;
    private final int hash;

    KvKey(byte[] bytes, int from, int length, int hash) {
        this.bytes = bytes;
        this.from = from;
        this.length = length;
        this.hash = hash;
    }

    static KvKey of(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return new KvKey(utf8, 0, utf8.length, hash(utf8, 0, utf8.length));
    }

    static int hash(byte[] bytes, int from, int length) {
        int h = 1;
        for (int i = from; i < from + length; i++) {
            h = 31 * h + bytes[i];
        }
        return h;
    }

    /** This key in an array of its own (itself if it already is). */
    KvKey detached() {
        return from == 0 && length == bytes.length ? this
                : new KvKey(Arrays.copyOfRange(bytes, from, from + length), 0, length, hash);
    }

    /** The key's UTF-8 bytes; the array itself for a {@link #detached} key, which the caller must not change. */
    byte[] bytes() {
        return from == 0 && length == bytes.length ? bytes : Arrays.copyOfRange(bytes, from, from + length);
    }

    /** The key as text (the bytes are valid UTF-8). */
    String text() {
        return new String(bytes, from, length, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KvKey k && k.hash == hash
                && Arrays.equals(bytes, from, from + length, k.bytes, k.from, k.from + k.length);
    }

    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public String toString() {
        return text();
    }
}

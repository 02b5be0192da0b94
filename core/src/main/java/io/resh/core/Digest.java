package io.resh.core;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;

/** A SHA-256 digest of a replica's state or of a payload. Immutable; equal when the bytes are. */
public final class Digest {
    /** Length in bytes of every digest. */
    public static final int LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;

    private Digest(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Wraps 32 digest bytes (copied). */
    public static Digest wrap(byte[] bytes) {
        if (bytes.length != LENGTH) {
            throw new IllegalArgumentException("a digest has " + LENGTH + " bytes, got " + bytes.length);
        }
        return new Digest(bytes.clone());
    }

    public static Digest of(byte[] data) {
        return new Digest(sha256().digest(data));
    }

    /** The digest of {@code length} bytes of {@code data} from {@code offset}. */
    public static Digest of(byte[] data, int offset, int length) {
        MessageDigest sha = sha256();
        sha.update(data, offset, length);
        return new Digest(sha.digest());
    }

    /** A fresh SHA-256 engine (for streaming callers). */
    public static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    public byte[] bytes() {
        return bytes.clone();
    }

    /** The first 12 hex digits, enough to tell digests apart in a log line. */
    public String shortHex() {
        return hex().substring(0, 12);
    }

    public String hex() {
        return HEX.formatHex(bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Digest d && Arrays.equals(bytes, d.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return shortHex();
    }
}

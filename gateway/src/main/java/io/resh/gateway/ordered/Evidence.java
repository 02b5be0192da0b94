package io.resh.gateway.ordered;

import java.nio.ByteBuffer;

/**
 * Human-readable descriptions of how two replies differ, for fault events. Replies are read where they lie (a
 * large one in the buffer it was read into): only the first difference and its context are ever looked at.
 */
final class Evidence {
    private static final int CONTEXT = 24;

    private Evidence() {
    }

    /** "at byte 5 of 12: expected 'hello' got 'hellp'" style, with non-printable bytes escaped. */
    static String difference(byte[] expected, byte[] actual) {
        return difference(ByteBuffer.wrap(expected), ByteBuffer.wrap(actual));
    }

    /** As {@link #difference(byte[], byte[])}, for the bytes between each buffer's position and limit. */
    static String difference(ByteBuffer expected, ByteBuffer actual) {
        int i = expected.mismatch(actual);
        if (i < 0) {
            i = expected.remaining();
        }
        int from = Math.max(0, i - 8);
        return "at byte " + i + " (expected " + expected.remaining() + " bytes, got " + actual.remaining()
                + "): expected '" + printable(expected, from) + "' got '" + printable(actual, from) + "'";
    }

    static String printable(byte[] bytes, int from) {
        return printable(ByteBuffer.wrap(bytes), from);
    }

    /** Up to {@value #CONTEXT} bytes from {@code from} (relative to the position), escaped; "..." where cut. */
    static String printable(ByteBuffer bytes, int from) {
        StringBuilder sb = new StringBuilder();
        int length = bytes.remaining();
        int end = Math.min(length, from + CONTEXT);
        if (from > 0) {
            sb.append("...");
        }
        for (int i = from; i < end; i++) {
            int b = bytes.get(bytes.position() + i) & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\'') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (end < length) {
            sb.append("...");
        }
        return sb.toString();
    }
}

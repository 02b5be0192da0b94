package io.resh.gateway.ordered;

/** Human-readable descriptions of how two replies differ, for fault events. */
final class Evidence {
    private static final int CONTEXT = 24;

    private Evidence() {
    }

    /** "at byte 5 of 12: expected 'hello' got 'hellp'" style, with non-printable bytes escaped. */
    static String difference(byte[] expected, byte[] actual) {
        int i = 0;
        int n = Math.min(expected.length, actual.length);
        while (i < n && expected[i] == actual[i]) {
            i++;
        }
        int from = Math.max(0, i - 8);
        return "at byte " + i + " (expected " + expected.length + " bytes, got " + actual.length + "): expected '"
                + printable(expected, from) + "' got '" + printable(actual, from) + "'";
    }

    static String printable(byte[] bytes, int from) {
        StringBuilder sb = new StringBuilder();
        int end = Math.min(bytes.length, from + CONTEXT);
        if (from > 0) {
            sb.append("...");
        }
        for (int i = from; i < end; i++) {
            int b = bytes[i] & 0xff;
            if (b >= 0x20 && b < 0x7f && b != '\'') {
                sb.append((char) b);
            } else {
                sb.append(String.format("\\x%02x", b));
            }
        }
        if (end < bytes.length) {
            sb.append("...");
        }
        return sb.toString();
    }
}

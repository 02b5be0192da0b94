package io.resh.host;

import io.resh.core.Digest;
import io.resh.core.GroupEvent.FaultDetected;
import io.resh.replica.FrameCodec;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Evidence for fault events, twice: as one line for people ({@link #diff}) and as data for tools
 * ({@link #details}, keyed as {@link FaultDetected#details()} documents). Both come from one comparison.
 */
final class Evidence {
    private static final int SNIPPET_BYTES = 8;

    private Evidence() {
    }

    /** "voted 3fa2c1… (17 B) vs replica 9b01de… (17 B); first difference at byte 4: 0x41 'A' vs 0x43 'C'". */
    static String diff(byte[] voted, byte[] actual) {
        return diff("voted", voted, "replica", actual);
    }

    /** Like {@link #diff(byte[], byte[])}, with other names for the two values (e.g. two DMR replicas). */
    static String diff(String expectedName, byte[] expected, String actualName, byte[] actual) {
        int at = firstDifference(expected, actual);
        StringBuilder sb = new StringBuilder();
        sb.append(expectedName).append(' ').append(Digest.of(expected).shortHex()).append(" (").append(expected.length)
                .append(" B) vs ").append(actualName).append(' ').append(Digest.of(actual).shortHex()).append(" (")
                .append(actual.length).append(" B); ");
        if (expected.length == actual.length && at == expected.length) {
            // Equal values (two replies that differ only in their status byte, which replyDiff says first).
            sb.append("the values are equal");
        } else if (at == Math.min(expected.length, actual.length)) {
            sb.append("one is a prefix of the other, lengths differ");
        } else {
            sb.append("first difference at byte ").append(at).append(": 0x").append(hex(expected, at)).append(" '")
                    .append(text(expected, at)).append("' vs 0x").append(hex(actual, at)).append(" '")
                    .append(text(actual, at)).append('\'');
        }
        return sb.toString();
    }

    /**
     * Like {@link #diff(String, byte[], String, byte[])} for two reply bodies as the replicas send them (a status
     * byte, then the service's reply): sizes, digests and offsets are the service's reply's, as its author knows
     * it, and a differing status is said in words.
     */
    static String replyDiff(String expectedName, byte[] expected, String actualName, byte[] actual) {
        String status = expected[0] == actual[0] ? ""
                : "status " + status(expected[0]) + " vs " + status(actual[0]) + "; ";
        return status + diff(expectedName, payload(expected), actualName, payload(actual));
    }

    /** {@link #details} of two reply bodies, in the service's reply's terms as {@link #replyDiff}. */
    static Map<String, String> replyDetails(String expectedName, byte[] expected, String actualName, byte[] actual) {
        Map<String, String> d = details(expectedName, payload(expected), actualName, payload(actual));
        // Two replies can differ in their status alone: without it the data would show two equal values.
        d.put(expectedName + FaultDetected.STATUS, status(expected[0]));
        d.put(actualName + FaultDetected.STATUS, status(actual[0]));
        return d;
    }

    private static byte[] payload(byte[] body) {
        return Arrays.copyOfRange(body, 1, body.length);
    }

    private static String status(byte status) {
        return switch (status) {
            case FrameCodec.STATUS_OK -> "ok";
            case FrameCodec.STATUS_ERROR -> "service error";
            default -> "0x" + Integer.toHexString(status & 0xff);
        };
    }

    /** The structured form of {@link #diff(String, byte[], String, byte[])}: digests, lengths, offset, snippets. */
    static Map<String, String> details(String expectedName, byte[] expected, String actualName, byte[] actual) {
        int at = firstDifference(expected, actual);
        Map<String, String> d = new LinkedHashMap<>();
        describe(d, expectedName, expected, at);
        describe(d, actualName, actual, at);
        d.put(FaultDetected.OFFSET, Integer.toString(at));
        return d;
    }

    /** Two digests that should have been equal, expected first. */
    static Map<String, String> digests(String expectedName, Digest expected, String actualName, Digest actual) {
        Map<String, String> d = new LinkedHashMap<>();
        d.put(expectedName + FaultDetected.DIGEST, expected.hex());
        d.put(actualName + FaultDetected.DIGEST, actual.hex());
        return d;
    }

    private static void describe(Map<String, String> d, String name, byte[] value, int at) {
        d.put(name + FaultDetected.DIGEST, Digest.of(value).hex());
        d.put(name + FaultDetected.BYTES, Integer.toString(value.length));
        d.put(name + FaultDetected.SNIPPET, hex(value, at));
        d.put(name + FaultDetected.TEXT, text(value, at));
    }

    private static int firstDifference(byte[] a, byte[] b) {
        int n = Math.min(a.length, b.length);
        int at = 0;
        while (at < n && a[at] == b[at]) {
            at++;
        }
        return at;
    }

    private static String hex(byte[] b, int at) {
        int end = Math.min(b.length, at + SNIPPET_BYTES);
        StringBuilder hex = new StringBuilder();
        for (int i = at; i < end; i++) {
            hex.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
        }
        return hex.toString();
    }

    private static String text(byte[] b, int at) {
        int end = Math.min(b.length, at + SNIPPET_BYTES);
        if (at >= end) {
            return "";
        }
        return new String(b, at, end - at, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
    }
}

package io.resh.host;

import io.resh.core.Digest;
import java.nio.charset.StandardCharsets;

/** Short, human-readable evidence for fault events: digests and the first differing bytes of two values. */
final class Evidence {
    private Evidence() {
    }

    /** "voted 3fa2c1… (17 B) vs replica 9b01de… (17 B); first difference at byte 4: 0x41 'A' vs 0x43 'C'". */
    static String diff(byte[] voted, byte[] actual) {
        int n = Math.min(voted.length, actual.length);
        int at = 0;
        while (at < n && voted[at] == actual[at]) {
            at++;
        }
        StringBuilder sb = new StringBuilder();
        sb.append("voted ").append(Digest.of(voted).shortHex()).append(" (").append(voted.length).append(" B) vs replica ")
                .append(Digest.of(actual).shortHex()).append(" (").append(actual.length).append(" B); ");
        if (at == n) {
            sb.append("one is a prefix of the other, lengths differ");
        } else {
            sb.append("first difference at byte ").append(at).append(": ")
                    .append(show(voted, at)).append(" vs ").append(show(actual, at));
        }
        return sb.toString();
    }

    private static String show(byte[] b, int at) {
        int end = Math.min(b.length, at + 8);
        StringBuilder hex = new StringBuilder("0x");
        for (int i = at; i < end; i++) {
            hex.append(String.format("%02x", b[i] & 0xff));
        }
        String text = new String(b, at, end - at, StandardCharsets.ISO_8859_1).replaceAll("[^\\x20-\\x7e]", ".");
        return hex + " '" + text + "'";
    }
}

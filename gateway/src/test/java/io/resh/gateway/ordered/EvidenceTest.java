package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EvidenceTest {
    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void shouldShowTheFirstDifferenceWithItsContextEscaped() {
        assertThat(Evidence.difference(bytes("+OK 12345678\r\n"), bytes("+OK 12345679\r\n")))
                .isEqualTo("at byte 11 (expected 14 bytes, got 14): expected '... 12345678\\x0d\\x0a' got '... 12345679\\x0d\\x0a'");
    }

    @Test
    void shouldPlaceTheDifferenceOfAReplyThatStopsShortAtItsEnd() {
        assertThat(Evidence.difference(bytes("abcd"), bytes("abc"))).startsWith("at byte 3 (expected 4 bytes, got 3)");
    }

    /** A held reply is a buffer's window: offsets count from where the reply starts, not the buffer. */
    @Test
    void shouldCountFromTheStartOfTheReplyInABuffer() {
        ByteBuffer held = ByteBuffer.wrap(bytes("junk|" + "x".repeat(40) + "y" + "x".repeat(40)));
        held.position(5);
        ByteBuffer other = ByteBuffer.wrap(bytes("x".repeat(81)));
        assertThat(Evidence.difference(other, held))
                .isEqualTo("at byte 40 (expected 81 bytes, got 81): expected '...xxxxxxxxxxxxxxxxxxxxxxxx...' got '...xxxxxxxxyxxxxxxxxxxxxxxx...'");
    }
}

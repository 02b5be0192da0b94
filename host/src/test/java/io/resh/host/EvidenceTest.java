package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EvidenceTest {
    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldStateTheFirstDifferenceOnceAsProseAndOnceAsData() {
        byte[] voted = utf8("total=1234");
        byte[] actual = utf8("total=1294");

        String prose = Evidence.diff(voted, actual);
        Map<String, String> d = Evidence.details("voted", voted, "replica", actual);

        assertThat(prose).isEqualTo("voted " + Digest.of(voted).shortHex() + " (10 B) vs replica "
                + Digest.of(actual).shortHex() + " (10 B); first difference at byte 8: 0x3334 '34' vs 0x3934 '94'");
        assertThat(d).containsEntry("voted.digest", Digest.of(voted).hex())
                .containsEntry("replica.digest", Digest.of(actual).hex())
                .containsEntry("voted.bytes", "10").containsEntry("replica.bytes", "10")
                .containsEntry("offset", "8")
                .containsEntry("voted.snippet", "3334").containsEntry("replica.snippet", "3934")
                .containsEntry("voted.text", "34").containsEntry("replica.text", "94");
        assertThat(d.keySet()).as("the expected value first").first().isEqualTo("voted.digest");
    }

    /** A reply body starts with resh's status byte: "6" showed as "(2 B)", differing "at byte 1". */
    @Test
    void shouldDescribeRepliesInTheServicesTermsWithoutTheStatusByte() {
        byte[] voted = {io.resh.replica.FrameCodec.STATUS_OK, '6'};
        byte[] actual = {io.resh.replica.FrameCodec.STATUS_OK, '7'};
        byte[] error = {io.resh.replica.FrameCodec.STATUS_ERROR, '6'};

        assertThat(Evidence.replyDiff("voted", voted, "replica", actual)).isEqualTo("voted "
                + Digest.of(utf8("6")).shortHex() + " (1 B) vs replica " + Digest.of(utf8("7")).shortHex()
                + " (1 B); first difference at byte 0: 0x36 '6' vs 0x37 '7'");
        assertThat(Evidence.replyDetails("voted", voted, "replica", actual)).containsEntry("offset", "0")
                .containsEntry("voted.bytes", "1").containsEntry("voted.digest", Digest.of(utf8("6")).hex());
        assertThat(Evidence.replyDiff("voted", voted, "replica", error))
                // The same value '6' was "one is a prefix of the other, lengths differ", though the lengths were equal.
                .isEqualTo("status ok vs service error; voted " + Digest.of(utf8("6")).shortHex() + " (1 B) vs replica "
                        + Digest.of(utf8("6")).shortHex() + " (1 B); the values are equal");
        assertThat(Evidence.replyDetails("voted", voted, "replica", error)).as("the data says what the line says")
                .containsEntry("voted.status", "ok").containsEntry("replica.status", "service error");
    }

    @Test
    void shouldShowAtMostEightBytesAndMaskUnprintableOnes() {
        byte[] voted = new byte[20];
        byte[] actual = new byte[20];
        actual[3] = 0x41;

        Map<String, String> d = Evidence.details("voted", voted, "replica", actual);

        assertThat(d).containsEntry("offset", "3").containsEntry("voted.snippet", "0000000000000000")
                .containsEntry("replica.snippet", "4100000000000000").containsEntry("replica.text", "A.......");
    }

    @Test
    void shouldPointAtTheEndOfTheShorterValueWhenOneIsAPrefix() {
        Map<String, String> d = Evidence.details("replica0", utf8("abc"), "replica1", utf8("abcdef"));

        assertThat(Evidence.diff("replica 0", utf8("abc"), "replica 1", utf8("abcdef")))
                .startsWith("replica 0 ").contains(" vs replica 1 ").endsWith("one is a prefix of the other, lengths differ");
        assertThat(d).containsEntry("offset", "3").containsEntry("replica0.snippet", "")
                .containsEntry("replica1.snippet", "646566").containsEntry("replica1.text", "def")
                .containsEntry("replica0.bytes", "3").containsEntry("replica1.bytes", "6");
    }
}

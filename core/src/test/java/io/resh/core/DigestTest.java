package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

class DigestTest {

    @Property(tries = 200)
    void shouldDigestARangeAsTheSameBytesOnTheirOwn(@ForAll @Size(max = 300) byte[] data,
                                                     @ForAll @IntRange(max = 300) int from, @ForAll @IntRange(max = 300) int to) {
        int start = Math.min(from, data.length);
        int end = Math.max(start, Math.min(to, data.length));
        assertThat(Digest.of(data, start, end - start).hex())
                .isEqualTo(Digest.of(Arrays.copyOfRange(data, start, end)).hex());
    }

    @Property(tries = 50)
    void shouldTellRangesThatDifferInOneByteApart(@ForAll @Size(min = 1, max = 100) byte[] data) {
        byte[] flipped = data.clone();
        flipped[flipped.length - 1] ^= 1;
        assertThat(Digest.of(flipped, 0, flipped.length).hex()).isNotEqualTo(Digest.of(data, 0, data.length).hex());
    }
}

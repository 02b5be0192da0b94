package io.resh.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteSizesTest {
    @Test
    void shouldNameASizeInTheLargestUnitThatDividesIt() {
        assertThat(ByteSizes.format(16L << 20)).isEqualTo("16MiB");
        assertThat(ByteSizes.format(64 << 10)).isEqualTo("64KiB");
        assertThat(ByteSizes.format(2L << 30)).isEqualTo("2GiB");
        assertThat(ByteSizes.format(1000)).isEqualTo("1000 bytes");
        assertThat(ByteSizes.format(0)).isEqualTo("0 bytes");
        assertThat(ByteSizes.format(1)).isEqualTo("1 byte");
    }

    @Test
    void shouldReadWhatItWrites() {
        for (long size : new long[] {1, 1000, 64 << 10, 16L << 20, 2L << 30}) {
            String text = ByteSizes.format(size).replace(" bytes", "").replace(" byte", "");
            assertThat(ByteSizes.parse("size", text)).as(text).isEqualTo(size);
        }
        assertThatThrownBy(() -> ByteSizes.parse("size", "16 parsecs")).isInstanceOf(ConfigException.class);
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentRepliesTest {
    @Test
    void shouldGiveBackTheReplyKeptForARequestAndNothingForAnother() {
        RecentReplies recent = new RecentReplies();
        byte[] reply = {0, 1, 2};
        assertThat(recent.get(5)).isNull();
        recent.put(5, reply);
        assertThat(recent.get(5)).isSameAs(reply);
        assertThat(recent.get(6)).isNull();
        for (long seq = 6; seq < 200; seq++) {
            recent.put(seq, new byte[] {(byte) seq});
        }
        assertThat(recent.get(5)).as("overwritten by a later request in its place").isNull();
        assertThat(recent.get(199)).containsExactly((byte) 199);
    }
}

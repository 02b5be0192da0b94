package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RecentRepliesTest {
    @Test
    void shouldGiveBackTheReplyKeptForARequestAndNothingForAnother() {
        RecentReplies recent = new RecentReplies();
        byte[] reply = {0, 1, 2};
        assertThat(recent.get(5)).isNull();
        recent.put(5, reply, null);
        assertThat(recent.get(5)).isSameAs(reply);
        assertThat(recent.get(6)).isNull();
        for (long seq = 6; seq < 200; seq++) {
            recent.put(seq, new byte[] {0, (byte) seq}, null);
        }
        assertThat(recent.get(5)).as("overwritten by a later request in its place").isNull();
        assertThat(recent.get(199)).containsExactly(0, 199);
    }

    @Test
    void shouldGiveTheClientsCopyOnceAndOnlyForTheVeryArrayItWasMadeFrom() {
        RecentReplies recent = new RecentReplies();
        byte[] reply = {0, 7, 8};
        byte[] payload = {7, 8};
        recent.put(3, reply, payload);
        assertThat(recent.takePayload(3, reply.clone())).as("an equal array, not the one kept").isNull();
        assertThat(recent.takePayload(4, reply)).as("another request").isNull();
        assertThat(recent.takePayload(3, reply)).isSameAs(payload);
        assertThat(recent.takePayload(3, reply)).as("given out once").isNull();
        assertThat(recent.get(3)).as("the reply itself stays for the other readers").isSameAs(reply);
    }

    @Test
    void shouldCallARequestLateOnlyOnceRequestsPastTheTablesReachWereAnswered() {
        RecentReplies recent = new RecentReplies();
        assertThat(recent.late(1)).isFalse();
        recent.answered(30);
        recent.answered(25); // answers may come out of order: the highest counts
        assertThat(recent.late(30)).as("the slowest replica of a request just answered").isFalse();
        assertThat(recent.late(23)).isFalse();
        assertThat(recent.late(22)).as("a catching-up replica's reply to a request answered long ago").isTrue();
        assertThat(recent.late(1)).isTrue();
    }
}

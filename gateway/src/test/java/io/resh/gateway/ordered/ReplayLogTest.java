package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ReplayLogTest {
    private static Request request(String text) {
        return Request.of((text + "\n").getBytes(StandardCharsets.UTF_8), text, false, 0);
    }

    @Test
    void shouldSkipTheVeryRequestKeepingEveryIndex() {
        ReplayLog log = new ReplayLog(1 << 20, 100);
        Request a = request("SET a 1");
        Request boom = request("BOOM");
        Request b = request("SET b 2");
        log.append(a, 1);
        log.append(boom, 3);
        log.append(b, 4);
        long bytes = log.bytes();

        assertThat(log.skip(request("BOOM"))).as("an equal request is not the logged one").isFalse();
        assertThat(log.skip(boom)).isTrue();

        assertThat(log.size()).isEqualTo(3);
        assertThat(log.get(0)).isSameAs(a);
        assertThat(log.get(1)).isNull();
        assertThat(log.get(2)).isSameAs(b);
        assertThat(log.seq(1)).as("a skipped entry keeps its request's number").isEqualTo(3);
        assertThat(log.seq(2)).isEqualTo(4);
        assertThat(log.bytes()).isEqualTo(bytes - boom.bytes().length);
        assertThat(log.skipped()).isEqualTo(1);
        assertThat(log.appended()).isEqualTo(3);
        assertThat(log.skip(boom)).as("only once").isFalse();
    }

    @Test
    void shouldStillOverflowOnTheEntriesItKeeps() {
        ReplayLog log = new ReplayLog(1 << 20, 2);
        Request boom = request("BOOM");
        log.append(boom, 1);
        log.skip(boom);
        assertThat(log.append(request("SET a 1"), 2)).isTrue();
        assertThat(log.append(request("SET b 2"), 3)).as("a skipped entry still holds its index").isFalse();
        assertThat(log.overflowed()).isTrue();
    }

    /** The warning said "replay log overflowed" without the setting to raise: there are two. */
    @Test
    void shouldSayWhichBoundItOverflowed() {
        ReplayLog byEntries = new ReplayLog(1 << 20, 1);
        byEntries.append(request("SET a 1"), 1);
        assertThat(byEntries.overflowCause()).isNull();
        byEntries.append(request("SET b 2"), 2);
        ReplayLog byBytes = new ReplayLog(10, 100);
        byBytes.append(request("SET a 1"), 1);
        byBytes.append(request("SET b 2"), 2);

        assertThat(byEntries.overflowCause()).isEqualTo("it would hold more than replayLogEntries (1) requests");
        assertThat(byBytes.overflowCause()).isEqualTo("it would hold more than replayLogLimit (10 bytes) of requests");
    }

    @Test
    void shouldKeepTheSequenceNumberOfEveryEntryPastTheFirstGrowth() {
        ReplayLog log = new ReplayLog(1 << 20, 1000);
        for (int i = 0; i < 100; i++) {
            log.append(request("SET k " + i), 2L * i + 1);
        }
        assertThat(log.seq(0)).isEqualTo(1);
        assertThat(log.seq(99)).isEqualTo(199);
    }

    @Test
    void shouldForgetWhatACheckpointCoversAndKeepTheRest() {
        ReplayLog log = new ReplayLog(1 << 20, 3);
        Request a = request("SET a 1");
        Request b = request("SET b 2");
        Request c = request("SET c 3");
        log.append(a, 2);
        log.append(b, 5);
        log.append(c, 9);

        assertThat(log.compactThrough(6)).isEqualTo(2);

        assertThat(log.base()).isEqualTo(6);
        assertThat(log.size()).isEqualTo(1);
        assertThat(log.get(0)).isSameAs(c);
        assertThat(log.seq(0)).isEqualTo(9);
        assertThat(log.bytes()).isEqualTo(c.bytes().length);
        assertThat(log.compactThrough(4)).as("an older checkpoint cuts nothing").isZero();
        assertThat(log.append(request("SET d 4"), 11)).as("room again under the entry bound").isTrue();
        assertThat(log.append(request("SET e 5"), 12)).isTrue();
        assertThat(log.seq(2)).isEqualTo(12);
        assertThat(log.overflowed()).isFalse();
        assertThat(log.appended()).isEqualTo(5);
    }
}

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

    /** Overflowed once, the log was dropped for good; a checkpoint stored since makes a log that rebuilds from there. */
    @Test
    void shouldStartAgainAtACheckpointTakenAfterItOverflowed() {
        ReplayLog log = new ReplayLog(1 << 20, 2);
        log.append(request("SET a 1"), 1);
        log.append(request("SET b 2"), 2);
        assertThat(log.append(request("SET c 3"), 3)).isFalse();
        assertThat(log.append(request("SET d 4"), 4)).as("it keeps nothing while overflowed").isFalse();
        assertThat(log.keeping()).isFalse();

        log.restartAfter(6); // the checkpoint's digest and save were #5 and #6
        Request e = request("SET e 5");
        assertThat(log.append(e, 7)).isTrue();
        assertThat(log.overflowed()).as("until the checkpoint is stored").isTrue();
        assertThat(log.compactThrough(4)).as("a checkpoint before what it kept leaves a hole").isZero();
        assertThat(log.overflowed()).isTrue();

        assertThat(log.compactThrough(6)).isZero();

        assertThat(log.overflowed()).isFalse();
        assertThat(log.overflowCause()).isNull();
        assertThat(log.base()).isEqualTo(6);
        assertThat(log.size()).isEqualTo(1);
        assertThat(log.get(0)).isSameAs(e);
        assertThat(log.seq(0)).isEqualTo(7);
        assertThat(log.bytes()).isEqualTo(e.bytes().length);
    }

    /** What was kept for a checkpoint that was not stored is no use for the next: it starts after the next one. */
    @Test
    void shouldKeepOnlyWhatCameAfterTheLatestCheckpointWhileOverflowed() {
        ReplayLog log = new ReplayLog(1 << 20, 2);
        for (int i = 1; i <= 3; i++) {
            log.append(request("SET k " + i), i);
        }
        log.restartAfter(5);
        log.append(request("SET k 6"), 6);
        log.restartAfter(8);
        log.append(request("SET k 9"), 9);
        log.append(request("SET k 10"), 10);
        assertThat(log.size()).isEqualTo(2);
        assertThat(log.seq(0)).isEqualTo(9);

        assertThat(log.append(request("SET k 11"), 11)).as("what it keeps again is bounded too").isFalse();
        assertThat(log.size()).isZero();
        assertThat(log.keeping()).isFalse();
        assertThat(log.compactThrough(8)).isZero();
        assertThat(log.overflowed()).as("it overflowed before the checkpoint was stored").isTrue();
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.Ballot;
import io.resh.core.Quorum;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class RequestLogTest {
    private static LogEntry entry(long seq) {
        return new LogEntry(seq, 0, 0, new byte[0], new Ballot(new Quorum(3)), new CompletableFuture<>(), 0);
    }

    @Test
    void shouldKeepEntriesInOrderAcrossGrowth() {
        RequestLog log = new RequestLog();
        for (long s = 1; s <= 5000; s++) {
            log.append(entry(s));
        }
        assertThat(log.size()).isEqualTo(5000);
        assertThat(log.get(1).sequence).isEqualTo(1);
        assertThat(log.get(4321).sequence).isEqualTo(4321);
        assertThat(log.get(5001)).isNull();
        assertThat(log.contiguous()).isTrue();
    }

    @Test
    void shouldTruncateOnlyAnsweredEntries() {
        RequestLog log = new RequestLog();
        for (long s = 1; s <= 10; s++) {
            log.append(entry(s));
        }
        for (long s = 1; s <= 4; s++) {
            log.get(s).answered = true;
        }
        log.truncateThrough(8);
        assertThat(log.firstSequence()).isEqualTo(5);
        assertThat(log.get(4)).isNull();
        assertThat(log.get(5).sequence).isEqualTo(5);
        assertThat(log.size()).isEqualTo(6);
    }

    @Test
    void shouldRefuseAGap() {
        RequestLog log = new RequestLog();
        log.append(entry(1));
        assertThatThrownBy(() -> log.append(entry(3))).hasMessageContaining("log gap");
    }

    @Test
    void shouldStartAfterACheckpoint() {
        RequestLog log = new RequestLog();
        log.startAfter(100);
        assertThat(log.nextSequence()).isEqualTo(101);
        log.append(entry(101));
        assertThat(log.get(101)).isNotNull();
        assertThat(log.get(100)).isNull();
    }
}

package io.resh.cli.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

class RaftLoggingTest {
    private final Logger raft = (Logger) LoggerFactory.getLogger("org.apache.ratis");

    @Test
    void shouldKeepOnlyErrorsWhileQuietAndGiveBackTheLevelItHad() {
        Level configured = raft.getLevel();
        try {
            raft.setLevel(Level.INFO);
            RaftLogging.quiet();
            assertThat(raft.isWarnEnabled()).as("warnings while the hosts stop").isFalse();
            assertThat(raft.isErrorEnabled()).isTrue();

            RaftLogging.restore();
            assertThat(raft.getLevel()).isEqualTo(Level.INFO);
            RaftLogging.restore();
            assertThat(raft.getLevel()).as("a second restore changes nothing").isEqualTo(Level.INFO);
        } finally {
            raft.setLevel(configured);
        }
    }
}

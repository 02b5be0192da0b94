package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The named pipes that carry a replica's output, with real processes. */
class OutputPipeTest {

    /** Discards what it is given; the tests here look at the replica, not at its output. */
    private static final StreamTarget DISCARD = new StreamTarget() {
        @Override
        public void append(int replica, byte[] buf, int len) {
        }

        @Override
        public void end(int replica) {
        }

        @Override
        public void exclude(int replica) {
        }
    };

    @TempDir
    Path dir;

    /** Opening a named pipe waits for its other end: a program that never starts must not leave resh waiting. */
    @Test
    void shouldNotWaitForAReplicaThatCannotStart() {
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        OutputPipe.create(List.of(out, err));
        ReplicaRun run = new ReplicaRun(0, 1, List.of(dir.resolve("no-such-program").toString()), dir, -1, "run");

        boolean started = assertTimeoutPreemptively(Duration.ofSeconds(20),
                () -> run.start(null, out, err, DISCARD, DISCARD, () -> { }));

        assertThat(started).isFalse();
        assertThat(run.startError()).contains("no-such-program");
        assertThat(out).doesNotExist();
        assertThat(err).doesNotExist();
    }

    @Test
    void shouldSayWhyThePipesCannotBeCreated() {
        Path missing = dir.resolve("no-such-dir").resolve("out");

        assertThatThrownBy(() -> OutputPipe.create(List.of(missing))).isInstanceOf(ExecSetupException.class)
                .hasMessageStartingWith("cannot create the pipes that read the replicas' output: ")
                .hasMessageContaining(missing.toString())
                .hasMessageNotContaining("\n");
    }

    @Test
    void shouldRemoveThePipesNameOnceTheReplicaHoldsIt() throws Exception {
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        OutputPipe.create(List.of(out, err));
        ReplicaRun run = new ReplicaRun(0, 1, List.of("true"), dir, -1, "run");

        assertThat(run.start(null, out, err, DISCARD, DISCARD, () -> { })).isTrue();

        assertThat(Files.exists(out)).isFalse();
        assertThat(Files.exists(err)).isFalse();
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(20), () -> run.awaitReaders(Long.MAX_VALUE))).isTrue();
    }
}

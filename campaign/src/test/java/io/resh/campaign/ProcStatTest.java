package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reads the state of a real process before and after a real SIGSTOP. */
class ProcStatTest {
    private Process sleeper;

    @AfterEach
    void kill() {
        if (sleeper != null) {
            sleeper.destroyForcibly(); // SIGKILL also ends a stopped process
        }
    }

    @Test
    void shouldSeeAStoppedProcessAsStopped() throws Exception {
        sleeper = new ProcessBuilder("sleep", "30").start();
        long pid = sleeper.pid();
        assertThat(ProcStat.state(pid)).isIn('S', 'R');
        assertThat(ProcStat.awaitStopped(pid, TimeUnit.MILLISECONDS.toNanos(50))).isEqualTo(-1);

        Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).start();
        assertThat(stop.waitFor(5, TimeUnit.SECONDS)).isTrue();

        assertThat(ProcStat.awaitStopped(pid, TimeUnit.SECONDS.toNanos(5))).isNotNegative();
        assertThat(ProcStat.state(pid)).isEqualTo('T');
    }

    @Test
    void shouldNotWaitForAProcessThatDoesNotExist() {
        assertThat(ProcStat.state(Long.MAX_VALUE)).isEqualTo('?');
        assertThat(ProcStat.awaitStopped(Long.MAX_VALUE, TimeUnit.SECONDS.toNanos(5))).isEqualTo(-1);
    }
}

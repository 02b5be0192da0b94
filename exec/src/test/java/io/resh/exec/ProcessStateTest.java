package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ProcessStateTest {

    @Test
    void shouldReadTheStateAfterTheLastParenthesisOfTheCommandName() {
        assertThat(ProcessState.stateIn("4242 (sleep) S 1 4242 4242 0 -1")).isEqualTo('S');
        assertThat(ProcessState.stateIn("4242 (a) T (b) T 1 4242")).as("a command name with ') ' in it").isEqualTo('T');
        assertThat(ProcessState.stateIn("garbage")).isEqualTo('?');
        assertThat(ProcessState.stateIn("1 (x)")).isEqualTo('?');
    }

    @Test
    void shouldSeeAProcessStoppedBySigstopAndRunningAgainAfterSigcont() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertThat(ProcessState.stopped(sleep.pid())).isFalse();
            signal("STOP", sleep.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessState.stopped(sleep.pid()));
            signal("CONT", sleep.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessState.stopped(sleep.pid()));
        } finally {
            sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessState.stopped(sleep.pid())).as("gone").isFalse();
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}

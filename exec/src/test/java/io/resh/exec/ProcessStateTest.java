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
    void shouldReadTheParentAfterTheState() {
        assertThat(ProcessState.parentIn("4242 (sleep) S 17 4242 4242 0 -1")).isEqualTo(17);
        assertThat(ProcessState.parentIn("4242 (a) T (b) S 99 4242")).as("a command name with ') ' in it").isEqualTo(99);
        assertThat(ProcessState.parentIn("1 (init) S 0 1 1")).as("no parent").isZero();
        assertThat(ProcessState.parentIn("garbage")).isEqualTo(-1);
        assertThat(ProcessState.parentIn("1 (x) S")).isEqualTo(-1);
    }

    @Test
    void shouldSeeAProcessStoppedBySigstopAndRunningAgainAfterSigcont() throws Exception {
        Process sleep = new ProcessBuilder("sleep", "60").start();
        try {
            assertThat(ProcessState.read().stoppedWithin(sleep.pid())).isFalse();
            signal("STOP", sleep.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessState.read().stoppedWithin(sleep.pid()));
            signal("CONT", sleep.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessState.read().stoppedWithin(sleep.pid()));
        } finally {
            sleep.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        assertThat(ProcessState.read().stoppedWithin(sleep.pid())).as("gone").isFalse();
    }

    /** The shell waits for its child (state S) while the child, a grandchild of this JVM, is stopped. */
    @Test
    void shouldSeeAStoppedDescendantOfARunningProcess() throws Exception {
        Process shell = new ProcessBuilder("sh", "-c", "sh -c 'sleep 60' & wait").start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> shell.descendants().count() >= 1);
            ProcessHandle child = shell.descendants().findFirst().orElseThrow();
            assertThat(ProcessState.read().stoppedWithin(shell.pid())).isFalse();
            signal("STOP", child.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> ProcessState.read().stoppedWithin(shell.pid()));
            assertThat(ProcessState.stateIn(java.nio.file.Files.readString(
                    java.nio.file.Path.of("/proc", Long.toString(shell.pid()), "stat")))).as("the shell itself waits").isEqualTo('S');
            assertThat(ProcessState.read().stoppedWithin(ProcessHandle.current().pid())).as("this JVM's tree").isTrue();
            signal("CONT", child.pid());
            await().atMost(Duration.ofSeconds(10)).until(() -> !ProcessState.read().stoppedWithin(shell.pid()));
        } finally {
            shell.descendants().forEach(ProcessHandle::destroyForcibly);
            shell.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void signal(String signal, long pid) throws Exception {
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).isZero();
    }
}

package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LogFlushOnExitTest {
    /**
     * A stop that came between a server's start and the registration of its exit hook: registering then throws
     * "Shutdown in progress". Reached for certain from inside another exit hook, in a JVM of its own.
     */
    @Test
    void shouldStopTheServerAtOnceWhenTheJvmIsAlreadyExiting() throws Exception {
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ExitingJvm.class.getName())
                .redirectErrorStream(true).start();
        try {
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(jvm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(output.lines().toList()).containsExactly("server closed", "resh: kv stopped");
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Asks for the server's exit hook while the JVM is already running its exit hooks. */
    static final class ExitingJvm {
        public static void main(String[] args) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> LogFlushOnExit.stopOnExit("test-stop",
                    () -> System.out.println("server closed"), "resh: kv stopped")));
        }
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.host.testing.HostThatServes;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The host itself stopped (SIGSTOP of its JVM, or a long pause) for longer than the heartbeat timeout:
 * the replicas' silence meanwhile is the host's, not theirs, and no replica may be blamed for it.
 */
@Tag("e2e")
class HostStallTest {
    private Process host;

    @AfterEach
    void killHost() {
        if (host != null) {
            signal("CONT", host.pid());
            host.descendants().forEach(ProcessHandle::destroyForcibly);
            host.destroyForcibly();
        }
    }

    private static void signal(String name, long pid) {
        try {
            new ProcessBuilder("kill", "-" + name, Long.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("kill -" + name + " " + pid, e);
        }
    }

    /** The next answer of the host, past its log lines (the test logging configuration writes to stdout). */
    private static String answer(BufferedReader out) throws Exception {
        String line;
        while ((line = out.readLine()) != null) {
            if (line.equals("ready") || line.startsWith("reply ") || line.startsWith("faults ")) {
                return line;
            }
        }
        return "(end of the host's output)";
    }

    @Test
    void shouldBlameNoReplicaForTheTimeTheHostWasStopped() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        host = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), HostThatServes.class.getName(),
                "stalled").redirectError(ProcessBuilder.Redirect.DISCARD).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8));
        PrintWriter in = new PrintWriter(host.getOutputStream(), true, StandardCharsets.UTF_8);
        assertThat(answer(out)).isEqualTo("ready"); // bounded by the group's start timeout
        in.println("add");
        assertThat(answer(out)).isEqualTo("reply 1");

        signal("STOP", host.pid());
        // The fault itself: the host stays stopped for three heartbeat timeouts (1 s each in test groups).
        Thread.sleep(3_000);
        signal("CONT", host.pid());

        for (int i = 2; i <= 50; i++) {
            in.println("add");
            assertThat(answer(out)).isEqualTo("reply " + i);
        }
        in.println("status");
        assertThat(answer(out)).as("no fault, every replica in its first incarnation")
                .isEqualTo("faults 0 incarnations 1,1,1");
        in.close();
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
}

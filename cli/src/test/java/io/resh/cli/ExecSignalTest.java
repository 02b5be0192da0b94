package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A signal that ends resh exec during a run: exit 128 + the signal, killed replicas, and a last line saying so. */
class ExecSignalTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Process resh;

    @AfterEach
    void killWhatIsLeft() {
        ReshJvm.killTree(resh);
    }

    /** Ended with 130, an empty stderr and no report. */
    @Test
    void ctrlCShouldSayTheReplicasWereKilledAndStillWriteTheReport() throws Exception {
        Path report = dir.resolve("r.json");
        start("--report", report.toString());
        List<ProcessHandle> replicas = resh.descendants().toList();

        ForegroundJob.signalGroup(resh, "INT");

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh exec exits after Ctrl-C").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGINT").isEqualTo(130);
        assertThat(lastLine()).isEqualTo("resh exec: interrupted by SIGINT; the replicas were killed; the report is in "
                + report + " (exit 130)");
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("verdict").asText()).isEqualTo("interrupted");
        assertThat(json.get("exitCode").asInt()).isEqualTo(130);
        assertThat(json.get("reason").asText()).isEqualTo("interrupted by SIGINT; the replicas were killed");
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void sigtermShouldSaySoToo() throws Exception {
        start();

        resh.destroy(); // SIGTERM to resh alone, as timeout(1) or a service manager sends it

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh exec exits after SIGTERM").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGTERM").isEqualTo(143);
        assertThat(lastLine()).isEqualTo("resh exec: interrupted by SIGTERM; the replicas were killed (exit 143)");
        assertThat(Files.readString(dir.resolve("stdout.txt"))).as("nothing voted: the replicas printed nothing")
                .isEmpty();
    }

    /**
     * The replicas killed by the signal finished no vote, which --retry took for a failed one: it started a second
     * attempt while the JVM exited, which printed a stack trace ("Shutdown in progress") and wrote no report.
     */
    @Test
    void sigtermUnderRetryShouldStartNoSecondAttempt() throws Exception {
        Path report = dir.resolve("r.json");
        start("--retry", "--report", report.toString());

        resh.destroy();

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh exec exits after SIGTERM").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGTERM").isEqualTo(143);
        assertThat(Files.readString(dir.resolve("stderr.txt"))).doesNotContain("Exception", "\tat ");
        assertThat(lastLine()).isEqualTo("resh exec: interrupted by SIGTERM; the replicas were killed; the report is in "
                + report + " (exit 143)");
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("attempts")).hasSize(1);
        assertThat(json.get("attempts").get(0).get("verdict").asText()).as("not timed-out: no --timeout was given")
                .isEqualTo("interrupted");
    }

    /**
     * The run's shutdown hook, which removes the work directories, was registered only once they all existed:
     * creating them links every entry of the start directory into each, which takes a while for a large one, and
     * a signal meanwhile left every work directory made so far behind.
     */
    @Test
    void sigtermWhileTheWorkDirectoriesAreCreatedShouldLeaveNoneBehind() throws Exception {
        Path startDir = Files.createDirectory(dir.resolve("start"));
        for (int i = 0; i < 20_000; i++) {
            Files.createFile(startDir.resolve("input-" + i));
        }
        Path workRoot = Files.createDirectory(dir.resolve("work"));
        resh = new ProcessBuilder(ReshJvm.command(List.of(), "exec", "-n", "9", "--no-stdin", "--work-root",
                workRoot.toString(), "--", "true"))
                .directory(startDir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                .until(() -> !resh.isAlive() || workDirectories(workRoot) > 0);
        assertThat(resh.isAlive()).as("resh exec creates the work directories").isTrue();

        resh.destroy();

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh exec exits after SIGTERM").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGTERM").isEqualTo(143);
        assertThat(workDirectories(workRoot)).as("work directories left in %s", workRoot).isZero();
    }

    private static long workDirectories(Path workRoot) throws IOException {
        try (var entries = Files.list(workRoot)) {
            return entries.filter(p -> p.getFileName().toString().startsWith("resh-exec-")).count();
        }
    }

    /** Starts resh exec with three replicas that say they are up, then wait, and returns once they are up. */
    private void start(String... options) throws IOException {
        List<String> args = new java.util.ArrayList<>(List.of("exec", "-n", "3", "--no-stdin"));
        args.addAll(List.of(options));
        args.addAll(List.of("--", "sh", "-c", ": > " + dir + "/ready-$RESH_REPLICA; exec sleep 60"));
        // Its temporary files in the test's directory, removed with it.
        resh = ForegroundJob.start(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir), args.toArray(String[]::new)),
                dir.resolve("stdout.txt"), dir.resolve("stderr.txt"));
        await().atMost(Duration.ofSeconds(60)).until(() -> !resh.isAlive() || IntStream.range(0, 3)
                .allMatch(r -> Files.exists(dir.resolve("ready-" + r))));
        assertThat(resh.isAlive()).as("resh exec runs; stderr:%n%s", Files.readString(dir.resolve("stderr.txt")))
                .isTrue();
    }

    private String lastLine() throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve("stderr.txt"));
        assertThat(lines).as("resh's stderr").isNotEmpty();
        return lines.get(lines.size() - 1);
    }
}

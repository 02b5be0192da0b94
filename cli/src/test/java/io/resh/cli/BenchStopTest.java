package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code resh bench} stopped in the middle of a run (Ctrl-C, SIGTERM) leaves nothing running behind. */
@Tag("e2e")
class BenchStopTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Process bench;
    private List<ProcessHandle> children = List.of();

    @AfterEach
    void killWhatIsLeft() {
        children.forEach(ProcessHandle::destroyForcibly);
        ReshJvm.killTree(bench);
    }

    private Process bench(Path tmp, Path out, String... args) throws Exception {
        List<String> command = ReshJvm.command(List.of("-Djava.io.tmpdir=" + tmp), "bench");
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile()).start();
    }

    private static List<String> benchDirectories(Path tmp) throws Exception {
        try (Stream<Path> left = Files.list(tmp)) {
            return left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resh-")).toList();
        }
    }

    @Test
    void shouldDeleteTheGroupsTemporaryDirectoriesWhenAKvSmallRunIsStopped() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path out = dir.resolve("stdout.txt");
        bench = bench(tmp, out, "kv-small", "--duration", "60s");
        // Three groups run by then, each in a temporary directory of its own.
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("submit: warming up"));
        assertThat(benchDirectories(tmp)).hasSize(3);
        List<ProcessHandle> replicas = bench.descendants().toList();

        bench.destroy(); // SIGTERM
        assertThat(bench.waitFor(60, TimeUnit.SECONDS)).as("resh bench exits after SIGTERM").isTrue();
        assertThat(benchDirectories(tmp)).as("groups that saw no fault leave no directory:%n%s", Files.readString(out))
                .isEmpty();
        assertThat(replicas.stream().filter(ProcessHandle::isAlive)).isEmpty();
    }

    @Test
    void shouldStopTheServersAGatewayRedisRunStartedWhenItIsStopped() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path out = dir.resolve("stdout.txt");
        bench = bench(tmp, out, "gateway-redis", "--duration", "60s");
        // The run is under way once the gateways start: the direct redis-server and HAProxy are up by then.
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("starting an N=1 and a TMR gateway"));
        children = bench.children().filter(p -> !p.info().command().orElse("").endsWith("java")).toList();
        assertThat(children).as("redis-server and haproxy run as children of the bench: %s", Files.readString(out))
                .hasSizeGreaterThanOrEqualTo(2);

        bench.destroy(); // SIGTERM
        assertThat(bench.waitFor(60, TimeUnit.SECONDS)).as("resh bench exits after SIGTERM").isTrue();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(children.stream().filter(ProcessHandle::isAlive).map(p -> p.info().commandLine().orElse("?")))
                        .as("processes the bench started, still running after it stopped").isEmpty());
        assertThat(benchDirectories(tmp)).as("the run's directory is deleted").isEmpty();
    }
}

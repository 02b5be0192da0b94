package io.resh.gateway.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.gateway.testing.GatewayMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** A gateway killed with kill -9 takes its servers with it instead of leaving them holding their ports. */
@Tag("e2e")
class LaunchPrefixTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;
    private Process gateway;
    private List<Long> servers = List.of();

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.destroyForcibly();
        }
        servers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void shouldTakeEveryServerDownWhenTheGatewayProcessIsKilled() throws Exception {
        assumeTrue(LaunchPrefix.parentDeathSignal(), "setpriv --pdeathsig is not available");
        Path config = dir.resolve("redis.yaml");
        // workDir in the test's directory: killed with kill -9, the gateway never deletes a temporary one
        Files.writeString(config, """
                group: orphans
                replicas: 3
                server:
                  command: redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no
                listen: { port: 0, protocol: resp }
                workDir: work
                """);
        String java = ProcessHandle.current().info().command().orElse("java");
        gateway = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), GatewayMain.class.getName(),
                config.toString()).redirectError(dir.resolve("gateway.err").toFile()).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
        String line;
        do {
            line = out.readLine();
        } while (line != null && !line.startsWith("pids: "));
        assertThat(line).as("the gateway started (stderr in %s)", dir.resolve("gateway.err")).isNotNull();
        servers = Arrays.stream(line.substring(6).split(",")).map(Long::parseLong).toList();
        assertThat(servers).hasSize(3).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));

        gateway.destroyForcibly(); // SIGKILL: no shutdown hook runs
        gateway.waitFor();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(servers)
                .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }
}

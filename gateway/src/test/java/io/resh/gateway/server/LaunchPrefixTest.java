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
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with kill -9 takes its servers with it instead of leaving them holding their ports; where it
 * cannot (no setpriv), it says so at start.
 */
@Tag("e2e")
class LaunchPrefixTest {
    private static final String WARNING = "servers will not die with this process";

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
        List<String> logged = startGateway(null);
        assertThat(logged).as("a gateway whose servers die with it warns of nothing").noneMatch(l -> l.contains(WARNING));

        gateway.destroyForcibly(); // SIGKILL: no shutdown hook runs
        gateway.waitFor();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(servers)
                .noneMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)));
    }

    /**
     * On a machine without util-linux the servers started without a parent-death signal, and a gateway killed with
     * kill -9 left them running under pid 1 without a word. A PATH that holds redis-server alone is such a machine.
     */
    @Test
    void shouldWarnOnceAtStartThatServersOutliveAKilledGatewayWithoutSetpriv() throws Exception {
        Path bin = binWithRedisServerOnly();
        List<String> logged = startGateway(bin.toString());

        assertThat(logged.stream().filter(l -> l.contains(WARNING)))
                .as("said once at start, not once per server (stderr in %s)", dir.resolve("gateway.err"))
                .singleElement().asString().contains(" WARN ").endsWith("gateway orphans: setpriv is not on the PATH, so"
                        + " the servers will not die with this process: killed with kill -9, it leaves them running and"
                        + " holding their ports until they are killed by hand; apt-get install util-linux (for setpriv"
                        + " --pdeathsig) to have them die with it");
        gateway.destroyForcibly();
        gateway.waitFor();
        assertThat(servers).as("what the warning says: they outlive it (and are killed after the test)")
                .allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
    }

    /** A setpriv older than --pdeathsig is there but refuses it: the warning says so, in setpriv's words. */
    @Test
    void shouldSayWhySetprivCannotGiveTheParentDeathSignal() throws Exception {
        Path bin = binWithRedisServerOnly();
        Path setpriv = executable(bin.resolve("setpriv"), """
                echo "setpriv: unrecognized option '$1'" >&2
                exit 1
                """);
        List<String> logged = startGateway(bin.toString());

        assertThat(logged.stream().filter(l -> l.contains(WARNING))).singleElement().asString()
                .contains("gateway orphans: " + setpriv + " --pdeathsig KILL does not work here (exit code 1: setpriv:"
                        + " unrecognized option '--pdeathsig'), so the servers will not die with this process: ")
                .endsWith("apt-get install util-linux (for setpriv --pdeathsig) to have them die with it");
    }

    /** A directory for the PATH that runs redis-server and nothing else. */
    private Path binWithRedisServerOnly() throws Exception {
        Path bin = Files.createDirectory(dir.resolve("bin"));
        // A script, not a symbolic link: the test's directory is deleted after it, and a link out of it draws a warning.
        executable(bin.resolve("redis-server"), "exec " + OnPath.find("redis-server").orElseThrow() + " \"$@\"\n");
        return bin;
    }

    private static Path executable(Path file, String script) throws Exception {
        Files.writeString(file, "#!/bin/sh\n" + script);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
        return file;
    }

    /**
     * Starts a gateway of three redis-servers in a JVM of its own and reads what it logged until it serves.
     *
     * @param path the PATH it runs with, or null for this JVM's
     * @return the lines it printed before the line naming its servers' pids
     */
    private List<String> startGateway(String path) throws Exception {
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
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                GatewayMain.class.getName(), config.toString()).redirectError(dir.resolve("gateway.err").toFile());
        if (path != null) {
            pb.environment().put("PATH", path);
        }
        gateway = pb.start();
        BufferedReader out = new BufferedReader(new InputStreamReader(gateway.getInputStream(), StandardCharsets.UTF_8));
        List<String> logged = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("pids: ")) {
            logged.add(line);
        }
        assertThat(line).as("the gateway started (stderr in %s, it logged %s)", dir.resolve("gateway.err"), logged)
                .isNotNull();
        servers = Arrays.stream(line.substring(6).split(",")).map(Long::parseLong).toList();
        assertThat(servers).hasSize(3).allMatch(pid -> ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false));
        return logged;
    }
}

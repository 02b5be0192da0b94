package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.gateway.testing.GatewayMain;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A gateway killed with kill -9 left its temporary work directory, server logs and all, for ever: nothing else ever
 * removes it. The gateway locks it while it runs, as a replica group does its own, and the next gateway started beside
 * it removes it once that lock is free, saying so in one line; a running gateway's directory stays.
 */
@Tag("e2e")
class GatewayLeftoverWorkDirTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<Process> gateways = new ArrayList<>();
    private final List<Long> servers = new ArrayList<>();

    /** What a started gateway printed (its log) before it served, and its process. */
    private record Started(Process process, List<String> logged) {
    }

    @AfterEach
    void stop() {
        gateways.forEach(Process::destroyForcibly);
        // Without setpriv --pdeathsig the servers outlive a gateway killed with kill -9.
        servers.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));
    }

    @Test
    void shouldRemoveTheWorkDirectoryOfAGatewayKilledWithSigkillAndNoOther() throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Started killed = start("killed", tmp);
        Started running = start("running", tmp);
        Path killedDir = workDirOf("killed", tmp);
        Path runningDir = workDirOf("running", tmp);
        assertThat(killedDir.resolve("owner-" + killed.process().pid() + ".lock")).as("locked while it runs").exists();

        killed.process().destroyForcibly(); // SIGKILL: no exit hook runs, nothing is deleted
        assertThat(killed.process().waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(killedDir.resolve("logs")).as("left behind").isDirectory();

        Started later = start("later", tmp);

        assertThat(killedDir).doesNotExist();
        assertThat(runningDir.resolve("owner-" + running.process().pid() + ".lock")).as("the running one's").exists();
        assertThat(later.logged().stream().filter(l -> l.contains(killedDir.toString()))).singleElement().asString()
                .containsPattern(" - removed work directory " + Pattern.quote(killedDir.toString())
                        + " \\([0-9.]+ (bytes|KiB|MiB)\\) left behind by process " + killed.process().pid()
                        + ", which is gone \\(killed with kill -9, or crashed\\)$");
        assertThat(running.process().isAlive()).isTrue();
    }

    /** A gateway of one redis-server in a JVM of its own, with {@code tmp} as its temporary directory; once it serves. */
    private Started start(String group, Path tmp) throws IOException {
        Path config = Files.writeString(dir.resolve(group + ".yaml"), String.join("\n", "group: " + group, "replicas: 1",
                "server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no' }",
                "listen: { protocol: resp, port: 0 }", ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        Process p = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), GatewayMain.class.getName(), config.toString())
                .redirectError(dir.resolve(group + ".err").toFile()).start();
        gateways.add(p);
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        List<String> logged = new ArrayList<>();
        String line;
        while ((line = out.readLine()) != null && !line.startsWith("pids: ")) {
            logged.add(line);
        }
        assertThat(line).as("gateway %s started (stderr in %s, it logged %s)", group, dir.resolve(group + ".err"), logged)
                .isNotNull();
        Arrays.stream(line.substring(6).split(",")).map(Long::parseLong).forEach(servers::add);
        return new Started(p, logged);
    }

    private static Path workDirOf(String group, Path tmp) throws IOException {
        try (Stream<Path> dirs = Files.list(tmp)) {
            return dirs.filter(d -> d.getFileName().toString().startsWith("resh-gateway-" + group)).findFirst()
                    .orElseThrow(() -> new AssertionError("no work directory of gateway " + group + " in " + tmp));
        }
    }
}

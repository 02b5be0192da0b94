package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ctrl-C (or a closed terminal) as a terminal sends it: to the whole foreground process group. Only resh may
 * hear it; the replicas it supervises are stopped by resh, not killed by the terminal's signal.
 */
@Tag("e2e")
class TerminalSignalTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Process resh;

    @AfterEach
    void killWhatIsLeft() {
        ReshJvm.killTree(resh);
    }

    @Test
    void ctrlCShouldReachReshServeAloneWhichThenStopsItsReplicas() throws Exception {
        Path yaml = dir.resolve("kv.yaml");
        Path work = dir.resolve("work");
        Files.writeString(yaml, String.join("\n", "group: ctrlc", "replicas: 3", "service:",
                "  class: " + SignalWitness.class.getName(), "workDir: " + work, "listen:", "  host: 127.0.0.1",
                "  port: 0", ""));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        resh = ForegroundJob.start(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml"),
                "serve", yaml.toString(), "--admin-port", "-1"), out, err);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Files.readString(out).contains("serving on") || !resh.isAlive());
        assertThat(resh.isAlive()).as("resh serve runs; stderr:%n%s", Files.readString(err)).isTrue();
        List<ProcessHandle> replicas = resh.descendants().toList();
        assertThat(replicas).as("the replica processes").hasSize(3);

        ForegroundJob.signalGroup(resh, "INT");

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh serve exits after Ctrl-C").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGINT").isEqualTo(130);
        assertThat(Files.readString(out)).contains("resh: group ctrlc stopped");
        assertThat(Files.readString(err)).as("no fault, no warning").doesNotContain("WARN", "ERROR");
        for (int slot = 0; slot < 3; slot++) {
            assertThat(Files.readString(work.resolve("replica-" + slot + ".log")))
                    .as("replica %d was stopped by resh, not by the terminal's signal", slot)
                    .doesNotContain(SignalWitness.SAYS);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void ctrlCShouldReachTheGatewayAloneWhichThenStopsItsRedisServers() throws Exception {
        Path yaml = dir.resolve("redis.yaml");
        // workDir in the test's directory: the replica logs stay to be read after the gateway stopped
        Files.writeString(yaml, """
                group: ctrlc
                replicas: 3
                server:
                  command: redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no
                listen: { port: 0, protocol: resp }
                workDir: work
                """);
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        resh = ForegroundJob.start(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml"),
                "serve", yaml.toString(), "--admin-port", "-1"), out, err);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> Files.readString(out).contains("resh: group ctrlc") || !resh.isAlive());
        assertThat(resh.isAlive()).as("resh serve runs; stderr:%n%s", Files.readString(err)).isTrue();
        List<ProcessHandle> servers = resh.descendants().toList();
        assertThat(servers).as("the redis-servers").hasSize(3);

        ForegroundJob.signalGroup(resh, "INT");

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh serve exits after Ctrl-C").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGINT").isEqualTo(130);
        assertThat(Files.readString(out)).contains("resh: gateway ctrlc stopped");
        assertThat(Files.readString(err)).as("no fault, no warning").doesNotContain("WARN", "ERROR");
        for (int slot = 0; slot < 3; slot++) {
            // redis-server shuts down by itself on SIGINT and logs it
            assertThat(Files.readString(dir.resolve("work/logs/replica-" + slot + ".log")))
                    .as("server %d was stopped by the gateway, not by the terminal's signal", slot)
                    .doesNotContain("SIGINT");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void aClosedTerminalShouldReachReshExecAloneWhichThenKillsItsReplicas() throws Exception {
        Path witness = dir.resolve("witness.txt");
        // Each replica says it is up, then waits; a hang-up that reaches it is written down before it exits.
        String script = "trap 'echo \"replica $RESH_REPLICA got SIGHUP\" >> " + witness + "; exit 129' HUP;"
                + " : > " + dir + "/ready-$RESH_REPLICA; while :; do sleep 1; done";
        resh = ForegroundJob.start(ReshJvm.command(List.of(), "exec", "-n", "3", "--no-stdin", "--", "sh", "-c",
                script), dir.resolve("stdout.txt"), dir.resolve("stderr.txt"));
        await().atMost(Duration.ofSeconds(60)).until(() -> !resh.isAlive() || IntStream.range(0, 3)
                .allMatch(r -> Files.exists(dir.resolve("ready-" + r))));
        assertThat(resh.isAlive()).as("resh exec runs; stderr:%n%s", read(dir.resolve("stderr.txt"))).isTrue();
        List<ProcessHandle> replicas = resh.descendants().toList();
        assertThat(replicas).as("the replicas' shells and their sleeps").hasSizeGreaterThanOrEqualTo(3);

        ForegroundJob.signalGroup(resh, "HUP");

        assertThat(resh.waitFor(30, TimeUnit.SECONDS)).as("resh exec exits after a hang-up").isTrue();
        assertThat(resh.exitValue()).as("128 + SIGHUP").isEqualTo(129);
        assertThat(read(witness)).as("no replica was reached by the hang-up").isEmpty();
        await().atMost(Duration.ofSeconds(10)).until(() -> replicas.stream().noneMatch(ProcessHandle::isAlive));
    }

    /**
     * Out of the terminal's foreground process group, a replica that reads the terminal (a password prompt) is
     * stopped by SIGTTIN. resh used to wait for it for ever (there is no --timeout here); now it finds the
     * replicas stopped, kills them and says why. Run under a real terminal: {@code script} gives it a pty.
     */
    @Test
    void aReplicaReadingTheTerminalShouldBeReportedInsteadOfWaitedForForever() throws Exception {
        List<String> exec = ReshJvm.command(List.of(), "exec", "-n", "3", "--", "sh", "-c",
                "read answer < /dev/tty; echo \"got $answer\"");
        String line = String.join(" ", exec.stream().map(a -> "'" + a.replace("'", "'\\''") + "'").toList());
        Path typescript = dir.resolve("terminal.txt");
        // stdin stays an open pipe nobody writes to: the terminal has nothing to give the replicas
        resh = new ProcessBuilder("script", "-qfec", line, "/dev/null").redirectOutput(typescript.toFile())
                .redirectErrorStream(true).start();

        assertThat(resh.waitFor(60, TimeUnit.SECONDS)).as("resh exec ends; on its terminal:%n%s", read(typescript))
                .isTrue();
        String terminal = read(typescript);
        assertThat(resh.exitValue()).as("too few replicas finished: 124; on the terminal:%n%s", terminal).isEqualTo(124);
        assertThat(terminal).contains("only 0 of 3 replicas finished (3 stopped, most likely by reading the terminal,"
                + " which replicas cannot)", "replica 0 was stopped, most likely by reading the terminal");
        assertThat(terminal).doesNotContain("got ");
        resh.getOutputStream().close();
    }

    /**
     * In a process group of their own, replicas are out of reach of a kill of resh's process group (a CI runner
     * cancelling a job), and a SIGKILL of resh alone (the OOM killer) gives it no chance to kill them: they ran on.
     */
    @Test
    void aReshExecKilledWithSigkillShouldTakeItsReplicasWithIt() throws Exception {
        // Its temporary directory in the test's: a resh killed with SIGKILL cannot remove it.
        resh = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir), "exec", "-n", "3", "--no-stdin",
                "--", "sleep", "600"))
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> !resh.isAlive() || resh.descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/sleep")).count() == 3);
        assertThat(resh.isAlive()).as("resh exec runs; stderr:%n%s", read(dir.resolve("stderr.txt"))).isTrue();
        List<ProcessHandle> replicas = resh.descendants().toList();

        resh.destroyForcibly(); // SIGKILL to resh alone

        try {
            assertThat(resh.waitFor(30, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(10)).until(() -> replicas.stream().noneMatch(ProcessHandle::isAlive));
        } finally {
            replicas.forEach(ProcessHandle::destroyForcibly); // orphans are no descendants of anything here
        }
    }

    private static String read(Path file) throws IOException {
        return Files.exists(file) ? Files.readString(file) : "";
    }
}

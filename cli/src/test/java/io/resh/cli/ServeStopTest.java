package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.examples.kv.KvStore;
import java.io.FileInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code resh serve} stopped the way Ctrl-C or a service manager stops it: SIGTERM to its JVM. */
@Tag("e2e")
class ServeStopTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Process serve;

    @AfterEach
    void killWhatIsLeft() {
        ReshJvm.killTree(serve);
    }

    @Test
    void shouldSayItStoppedAndWhereItKeptTheWorkDirectoryOfAGroupThatHadAFault() throws Exception {
        Path yaml = dir.resolve("kv.yaml");
        Files.writeString(yaml, String.join("\n", "group: stopping", "replicas: 3", "service:",
                "  class: " + KvStore.class.getName(), "listen:", "  host: 127.0.0.1", "  port: 0", ""));
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        // The shipped logging configuration, not the test one the class path also holds: its exit hook is tested.
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml"),
                "serve", yaml.toString(), "--admin-port", "-1"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("serving on"));

        // The group's name is early on a replica's command line (the class path may make it longer than what
        // the OS reports of it).
        ProcessHandle replica = serve.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("-Dresh.group=stopping")).findFirst()
                .orElseThrow(() -> new AssertionError("no replica process among " + serve.descendants().toList()));
        replica.destroyForcibly(); // kill -9
        await().atMost(Duration.ofSeconds(30)).until(() -> Files.readString(err).contains("recovered"));

        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve exits after SIGTERM").isTrue();
        String stdout = Files.readString(out);
        String stderr = Files.readString(err);
        assertThat(stdout).contains("resh: group stopping stopped");
        Matcher kept = Pattern.compile("kept work directory (\\S+) for post-mortem: ").matcher(stderr);
        assertThat(kept.find()).as("the kept directory is named on stderr:%n%s", stderr).isTrue();
        Path workDir = Path.of(kept.group(1));
        assertThat(workDir.resolve("replica-0.log")).exists();
        assertThat(serve.descendants().filter(ProcessHandle::isAlive)).isEmpty();
        delete(workDir);
    }

    /**
     * SIGTERM while the config was still being read said nothing at all. The config is a named pipe: resh's read
     * of it waits for the test's writer, whose open returns only once resh has opened the pipe, so the stop lands
     * while resh loads the config, every time.
     */
    @Test
    void shouldSayItWasStoppedWhileLoadingTheConfig() throws Exception {
        Path pipe = dir.resolve("kv.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).as("mkfifo returns").isTrue();
        assertThat(mkfifo.exitValue()).as("mkfifo: %s", new String(mkfifo.getInputStream().readAllBytes())).isZero();
        Path err = dir.resolve("stderr.txt");
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml"),
                "serve", pipe.toString(), "--admin-port", "-1"))
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile()).start();
        CompletableFuture<OutputStream> writer = CompletableFuture.supplyAsync(() -> {
            try {
                return Files.newOutputStream(pipe);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        try (OutputStream unwritten = writer.get(60, TimeUnit.SECONDS)) {
            serve.destroy(); // SIGTERM
            assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve exits after SIGTERM").isTrue();
        } finally {
            if (!writer.isDone()) {
                new FileInputStream(pipe.toFile()).close(); // the reader the writer's open waits for
            }
        }
        assertThat(serve.exitValue()).isNotZero();
        assertThat(Files.readString(err).lines().filter(l -> l.matches("resh( serve)?: .*"))) // a stop notice, or an error
                .containsExactly("resh: stopped while loading kv.yaml; nothing was started");
    }

    /**
     * {@code resh serve <(generate-config)}: the config read a second time from the pipe was empty ("expected a YAML
     * mapping at the top level"). Read once, it serves.
     */
    @Test
    void shouldServeAConfigThatCanBeReadOnlyOnce() throws Exception {
        Path pipe = dir.resolve("kv.yaml");
        Process mkfifo = new ProcessBuilder("mkfifo", pipe.toString()).redirectErrorStream(true).start();
        assertThat(mkfifo.waitFor(10, TimeUnit.SECONDS)).as("mkfifo returns").isTrue();
        assertThat(mkfifo.exitValue()).isZero();
        Path out = dir.resolve("stdout.txt");
        Path err = dir.resolve("stderr.txt");
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml"),
                "serve", pipe.toString(), "--admin-port", "-1"))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        Files.writeString(pipe, String.join("\n", "group: piped", "replicas: 3", "service:",
                "  class: " + KvStore.class.getName(), "listen:", "  host: 127.0.0.1", "  port: 0", ""));

        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out).contains("serving on")
                || !serve.isAlive());
        assertThat(Files.readString(out)).as("stderr: %s", Files.readString(err)).contains("resh: group piped serving on");
        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve exits after SIGTERM").isTrue();
        assertThat(Files.readString(out)).contains("resh: group piped stopped");
    }

    /** SIGTERM while the replicas started said "resh: group kv is closed", which read like a fault of the group. */
    @Test
    void shouldSayItWasStoppedWhileTheGroupWasStarting() throws Exception {
        Path yaml = dir.resolve("slow.yaml");
        Files.writeString(yaml, String.join("\n", "group: slow", "replicas: 3", "startTimeout: 120s", "service:",
                "  class: " + SlowStartingService.class.getName(), "listen:", "  host: 127.0.0.1", "  port: 0", ""));
        Path err = dir.resolve("stderr.txt");
        Files.createDirectories(dir.resolve("tmp"));
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml",
                "-Djava.io.tmpdir=" + dir.resolve("tmp")), "serve", yaml.toString(), "--admin-port", "-1"))
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> serve.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("-Dresh.group=slow")).count() == 3);

        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve exits after SIGTERM").isTrue();
        assertThat(serve.exitValue()).isNotZero();
        assertThat(Files.readString(err).lines().filter(l -> l.matches("resh( serve)?: .*"))) // a stop notice, or an error
                .containsExactly("resh: stopped while group slow was starting; nothing was served");
        assertThat(serve.descendants().filter(ProcessHandle::isAlive)).isEmpty();
    }

    /** A gateway stopped while its servers started left its temporary work directory behind and said nothing. */
    @Test
    void shouldSayItWasStoppedWhileTheGatewayWasStartingAndLeaveNoWorkDirectory() throws Exception {
        Path yaml = dir.resolve("slowgw.yaml");
        // Servers that never open their port: the gateway waits for them until readyTimeout.
        Files.writeString(yaml, String.join("\n", "group: slowgw", "replicas: 3",
                "server: { command: 'sleep 120 {port}', ready: tcp, readyTimeout: 100s }",
                "listen: { port: 0, protocol: line }", ""));
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        Path err = dir.resolve("stderr.txt");
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml",
                "-Djava.io.tmpdir=" + tmp), "serve", yaml.toString(), "--admin-port", "-1"))
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> serve.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 120")).count() == 3);

        List<ProcessHandle> servers = serve.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("sleep 120")).toList();
        assertThat(Files.readString(dir.resolve("stdout.txt")).lines()).as("said while its servers start")
                .containsExactly("resh: starting gateway slowgw (3 servers) from " + yaml);

        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve exits after SIGTERM").isTrue();
        assertThat(Files.readString(err).lines().filter(l -> l.matches("resh( serve)?: .*"))) // a stop notice, or an error
                .containsExactly("resh: stopped while gateway slowgw was starting; nothing was served");
        await().atMost(Duration.ofSeconds(10)).until(() -> servers.stream().noneMatch(ProcessHandle::isAlive));
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resh-")))
                    .as("the gateway's temporary work directory").isEmpty();
        }
    }

    /**
     * SIGTERM after the group, its front door or its admin API had started, but before the exit hook that stops a
     * serving group was in place, said nothing: no "stopped" line. {@code resh.serve.pauseAfter} holds the start
     * right after the step named, so the stop lands there every time.
     */
    @Test
    void shouldStopAndSayItOfAGroupStoppedAfterAnyStepOfItsStart() throws Exception {
        Path yaml = dir.resolve("kv.yaml");
        Files.writeString(yaml, String.join("\n", "group: halfway", "replicas: 3", "service:",
                "  class: " + KvStore.class.getName(), "listen:", "  host: 127.0.0.1", "  port: 0", ""));
        for (String step : List.of("group", "server", "admin")) {
            stopAfter(step, yaml, "resh: group halfway stopped");
        }
    }

    /**
     * A gateway stopped between its start and the exit hook of a serving gateway (while its admin API started) left
     * its temporary work directory behind and said nothing.
     */
    @Test
    void shouldStopAndSayItOfAGatewayStoppedAfterAnyStepOfItsStart() throws Exception {
        Path yaml = dir.resolve("gw.yaml");
        Files.writeString(yaml, String.join("\n", "group: halfgw", "replicas: 3",
                "server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no' }",
                "listen: { protocol: resp, host: 127.0.0.1, port: 0 }", ""));
        for (String step : List.of("gateway", "admin")) {
            stopAfter(step, yaml, "resh: gateway halfgw stopped");
        }
    }

    /** A cluster host stopped once started, but before the exit hook of a serving host was in place, said nothing. */
    @Test
    void shouldStopAndSayItOfAClusterHostStoppedAfterAnyStepOfItsStart() throws Exception {
        io.resh.cluster.ClusterPeer h1 = LoopbackCluster.peer("h1");
        Path yaml = dir.resolve("host.yaml");
        Files.writeString(yaml, String.join("\n", "group: halfhost", "replicas: 3", "service:",
                "  class: " + KvStore.class.getName(), "cluster:", "  id: h1", "  storage: " + dir.resolve("{id}"),
                "  peers:", "    - {id: h1, address: " + h1.raftAddress() + ", client: " + h1.clientAddress() + "}", ""));
        for (String step : List.of("host", "admin")) {
            stopAfter(step, yaml, "resh: cluster host h1 stopped");
        }
    }

    /**
     * Serves {@code yaml} with its start held after {@code step}, stops it there with SIGTERM, and checks that it said
     * {@code stoppedLine} last, with no error, and left no process nor temporary directory behind.
     */
    private void stopAfter(String step, Path yaml, String stoppedLine) throws Exception {
        Path tmp = Files.createDirectories(dir.resolve("tmp-" + step));
        Path out = dir.resolve("stdout-" + step + ".txt");
        Path err = dir.resolve("stderr-" + step + ".txt");
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Dlogback.configurationFile=logback.xml",
                "-Djava.io.tmpdir=" + tmp, "-Duser.home=" + dir.resolve("home"), "-D" + ServeExit.PAUSE_AFTER + "=" + step),
                "serve", yaml.toString()))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        String paused = "resh serve: paused after starting the " + step + " (" + ServeExit.PAUSE_AFTER + ")";
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(err).contains(paused) || !serve.isAlive());
        List<ProcessHandle> children = serve.descendants().toList();

        serve.destroy(); // SIGTERM
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("%s: resh serve exits after SIGTERM", step).isTrue();
        String stderr = Files.readString(err);
        assertThat(serve.exitValue()).as("%s: the signal's status; stderr:%n%s", step, stderr).isEqualTo(128 + 15);
        List<String> stdout = Files.readString(out).lines().toList();
        assertThat(stdout).as(step).last().isEqualTo(stoppedLine);
        assertThat(stdout).as(step).noneMatch(l -> l.contains("serving"));
        assertThat(stderr.lines().filter(l -> l.matches("resh( serve)?: .*")))
                .as("%s: no error, and no stop notice but the stopped line", step).containsExactly(paused);
        assertThat(stderr).as(step).doesNotContain("Exception");
        await().atMost(Duration.ofSeconds(10)).until(() -> children.stream().noneMatch(ProcessHandle::isAlive));
        try (Stream<Path> left = Files.list(tmp)) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resh-")))
                    .as("%s: the temporary work directory", step).isEmpty();
        }
    }

    /**
     * A stop before {@code resh serve} had put its exit hook in place: adding it threw "Shutdown in progress", a stack
     * trace. Reached for certain from inside another exit hook, in a JVM of its own.
     */
    @Test
    void shouldSayItWasStoppedWhenTheJvmWasExitingAlreadyAsItBegan() throws Exception {
        Path yaml = dir.resolve("early.yaml");
        Files.writeString(yaml, String.join("\n", "group: early", "service:", "  class: " + KvStore.class.getName(), ""));
        Process jvm = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ServeWhileExiting.class.getName(), yaml.toString())
                .redirectErrorStream(true).start();
        try {
            assertThat(jvm.waitFor(30, TimeUnit.SECONDS)).isTrue();
            String output = new String(jvm.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(output.lines().toList()).containsExactly("resh: stopped while loading early.yaml; nothing was started",
                    "exit status 1");
        } finally {
            jvm.destroyForcibly();
        }
    }

    /** Runs {@code resh serve ARG} from an exit hook, and prints its exit status. */
    static final class ServeWhileExiting {
        public static void main(String[] args) {
            // Made now: logging, set up as the command is made, adds an exit hook of its own, which it cannot later.
            org.slf4j.LoggerFactory.getLogger("resh");
            picocli.CommandLine resh = Resh.commandLine();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("exit status "
                    + resh.execute("serve", args[0], "--admin-port", "-1"))));
        }
    }

    private static void delete(Path tree) throws IOException {
        try (Stream<Path> paths = Files.walk(tree)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

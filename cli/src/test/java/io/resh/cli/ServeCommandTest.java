package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.examples.kv.KvStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** {@code resh serve} of a service group, run as a user runs it: its own JVM with the shipped logging. */
@Tag("e2e")
class ServeCommandTest {
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private Process serve;

    @AfterEach
    void killWhatIsLeft() {
        ReshJvm.killTree(serve);
    }

    /** Starts {@code resh serve} on a KV group with its temporary directories under {@code dir/tmp}. */
    private Process serve(String group, String... options) throws IOException {
        return serve(group, 3, options);
    }

    private Process serve(String group, int replicas, String... options) throws IOException {
        return serve(List.of(), group, replicas, options);
    }

    /** {@link #serve(String, int, String...)} with {@code extra} lines in the config. */
    private Process serve(List<String> extra, String group, int replicas, String... options) throws IOException {
        Path yaml = dir.resolve(group + ".yaml");
        Files.writeString(yaml, String.join("\n", "group: " + group, "replicas: " + replicas, "service:",
                "  class: " + KvStore.class.getName(), "listen:", "  host: 127.0.0.1", "  port: 0", String.join("\n", extra), ""));
        Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"), "-Duser.home=" + dir.resolve("home"),
                // the shipped logging configuration, not the test one the class path also holds
                "-Dlogback.configurationFile=logback.xml"), "serve", yaml.toString());
        cmd.addAll(List.of(options));
        return new ProcessBuilder(cmd).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
    }

    private String stderr() throws IOException {
        return Files.readString(dir.resolve("stderr.txt"));
    }

    /**
     * The admin API is bound after the group started: a taken --admin-port had the replicas started and stopped for
     * nothing, and the message did not name the option. Now nothing starts (a configured workDir is made by the
     * group's start, so it would exist).
     */
    @Test
    void shouldSayTheAdminPortIsTakenAndLeaveNoTemporaryDirectoryBehind() throws Exception {
        Path workDir = dir.resolve("adminclash-work");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            serve = serve(List.of("workDir: " + workDir), "adminclash", 3, "--admin-port", Integer.toString(taken.getLocalPort()));
            assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve gives up").isTrue();

            assertThat(serve.exitValue()).isEqualTo(2);
            assertThat(stderr()).startsWith("resh serve: admin: cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .endsWith("; give --admin-port another port (0: any free one, -1: no admin API)" + System.lineSeparator());
        }
        assertThat(workDir).as("no replica started").doesNotExist();
        try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resh-")))
                    .as("the group's temporary directory").isEmpty();
        }
    }

    /** A client port in use said "Address already in use" and no more: not which setting picks the port. */
    @Test
    void shouldSayWhichSettingPicksAClientPortThatIsTaken() throws Exception {
        Path workDir = dir.resolve("portclash-work");
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            serve = serve(List.of("workDir: " + workDir), "portclash", 1, "--admin-port", "-1", "--port",
                    Integer.toString(taken.getLocalPort()));
            assertThat(serve.waitFor(60, TimeUnit.SECONDS)).as("resh serve gives up").isTrue();

            assertThat(serve.exitValue()).isNotZero();
            assertThat(stderr().lines().filter(l -> l.startsWith("resh serve: "))).singleElement().asString()
                    .startsWith("resh serve: cannot listen for clients on 127.0.0.1:" + taken.getLocalPort())
                    .endsWith("; another program has that port: give listen.port in the config or --port another one"
                            + " (0: any free port)");
        }
        assertThat(workDir).as("no replica started").doesNotExist();
    }

    /** The banner said "1 replicas, masks 0 faulty" of an unreplicated group. */
    @Test
    void shouldSayWhatAnUnreplicatedGroupDoes() throws Exception {
        serve = serve("solo", 1, "--admin-port", "-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("stdout.txt")).contains("serving on"));

        assertThat(Files.readString(dir.resolve("stdout.txt"))).contains(" — 1 replica, unreplicated (a crash or hang is"
                + " repaired, a wrong reply is not detected); replica logs in ");
        assertThat(ServeCommand.redundancy(2, false)).isEqualTo("2 replicas, DMR (a faulty one is detected and both roll back; masks none)");
        assertThat(ServeCommand.redundancy(5, false)).isEqualTo("5 replicas, masks 2 faulty");
        assertThat(ServeCommand.redundancy(3, true)).as("adaptive: DMR until a divergence wakes the third").isEqualTo(
                "3 replicas, adaptive: DMR while no fault is seen (a faulty one is detected; masks none), TMR masking 1"
                        + " faulty once the third wakes on a divergence");
        assertThat(ServeCommand.redundancy(3, false)).isEqualTo("3 replicas, masks 1 faulty");
    }

    @Test
    void shouldLogAFaultAndItsRecoveryOnceEach() throws Exception {
        serve = serve("once", "--admin-port", "-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("stdout.txt")).contains("serving on"));
        ProcessHandle replica = serve.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("-Dresh.group=once")).findFirst()
                .orElseThrow(() -> new AssertionError("no replica process among " + serve.descendants().toList()));

        replica.destroyForcibly(); // kill -9
        await().atMost(Duration.ofSeconds(30)).until(() -> stderr().contains("recovered in"));
        serve.destroy(); // SIGTERM: flushes the log
        assertThat(serve.waitFor(60, TimeUnit.SECONDS)).isTrue();

        List<String> lines = stderr().lines().toList();
        // No request is outstanding: the crash is logged as idle, not at a request.
        assertThat(lines.stream().filter(l -> l.contains("crash while idle"))).as("%s", lines).hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains("recovered in"))).as("%s", lines).hasSize(1);
        assertThat(lines.stream().filter(l -> l.contains("being replaced"))).as("named as the group's other lines are")
                .singleElement().asString().containsPattern("INFO  group once: replica \\d being replaced \\(crash\\)$");
    }

    /**
     * {@code resh serve} stopped under {@code resh events --follow}: the follower died with "resh: closed", status 2.
     * It is stopped while a replacement replica is being started, whose shared body file used to stay behind.
     */
    @Test
    void shouldEndAFollowerWithOneLineWhenServeStops() throws Exception {
        Set<Path> leftBefore = sharedBodyFiles("followed");
        serve = serve("followed");
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("stdout.txt")).contains("admin: "));
        String url = Files.readString(dir.resolve("stdout.txt")).lines().filter(l -> l.startsWith("admin: "))
                .findFirst().orElseThrow().substring("admin: ".length()).strip();
        java.io.StringWriter out = new java.io.StringWriter();
        java.io.StringWriter err = new java.io.StringWriter();
        picocli.CommandLine cl = Resh.commandLine();
        cl.setOut(new java.io.PrintWriter(out, true));
        cl.setErr(new java.io.PrintWriter(err, true));
        java.util.concurrent.CompletableFuture<Integer> follow = java.util.concurrent.CompletableFuture.supplyAsync(() ->
                cl.execute("events", "--follow", "--limit", "0", "--url", url,
                        "--token-file", dir.resolve("home/.resh/admin.token").toString()));
        // Until the follower is connected an event would be missed: kill -9 a replica now and then until one shows.
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            serve.descendants().filter(p -> p.info().commandLine().orElse("").contains("-Dresh.group=followed"))
                    .findFirst().ifPresent(ProcessHandle::destroyForcibly);
            return out.toString().contains("FAULT crash") || follow.isDone();
        });

        serve.destroy(); // SIGTERM, as Ctrl-C
        assertThat(follow).succeedsWithin(Duration.ofSeconds(30)).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("resh events: the server closed the stream");
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("resh serve exits").isTrue();
        assertThat(sharedBodyFiles("followed")).as("shared body files left in /dev/shm").isSubsetOf(leftBefore);
    }

    /** The group's shared body files in /dev/shm (none where there is no /dev/shm). */
    private static Set<Path> sharedBodyFiles(String group) throws IOException {
        Path shm = Path.of("/dev/shm");
        if (!Files.isDirectory(shm)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(shm)) {
            return files.filter(p -> p.getFileName().toString().startsWith(".resh-bodies-" + group + "-"))
                    .collect(Collectors.toSet());
        }
    }

    /** The one field checked against the machine at start said "resh: cpus: core ..." without the file. */
    @Test
    void shouldNameTheFileOfACoreThatDoesNotExist() throws Exception {
        Path yaml = dir.resolve("pinned.yaml");
        Files.writeString(yaml, String.join("\n", "group: pinned", "service:", "  class: " + KvStore.class.getName(),
                "pin: true", "cpus: [4095]", "listen:", "  port: 0", ""));
        picocli.CommandLine cl = Resh.commandLine();
        java.io.StringWriter err = new java.io.StringWriter();
        cl.setErr(new java.io.PrintWriter(err, true));

        assertThat(cl.execute("serve", yaml.toString(), "--admin-port", "-1")).isEqualTo(2);
        assertThat(err.toString()).startsWith("resh serve: pinned.yaml: cpus: core 4095 does not exist here");
    }

    /** A listen.host that is no address here said "cannot listen for clients on 8.8.8.8:7400: ...", without the file. */
    @Test
    void shouldNameTheFileAndFieldOfAListenHostThatIsNoAddressHere() throws Exception {
        String[][] cases = {
            {"192.0.2.1", "resh serve: host.yaml: listen.host: expected an address of this machine, like 127.0.0.1 or"
                    + " 0.0.0.0 (every interface), got '192.0.2.1' (Cannot assign requested address)"},
            {"no-such-host.invalid", "resh serve: host.yaml: listen.host: expected an address of this machine, like"
                    + " 127.0.0.1 or 0.0.0.0 (every interface), got 'no-such-host.invalid', which does not resolve"},
        };
        for (String[] c : cases) {
            Path yaml = dir.resolve("host.yaml");
            Path workDir = dir.resolve("host-work");
            Files.writeString(yaml, String.join("\n", "group: host", "service:", "  class: " + KvStore.class.getName(),
                    "workDir: " + workDir, "listen:", "  host: " + c[0], "  port: 0", ""));
            picocli.CommandLine cl = Resh.commandLine();
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err, true));

            assertThat(cl.execute("serve", yaml.toString(), "--admin-port", "-1")).as(c[0]).isEqualTo(2);
            assertThat(err.toString().lines()).as(c[0]).containsExactly(c[1]);
            assertThat(workDir).as("no replica started").doesNotExist();
        }
    }

    /**
     * A gateway bound its client port only after its servers started: a taken port had three servers started and
     * stopped for nothing, and a listen.host that does not resolve said "cannot listen on no-such-host.invalid:0: null".
     */
    @Test
    void shouldRefuseAGatewayPortOrHostItCannotListenOnBeforeStartingAServer() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String[][] cases = {
                {"127.0.0.1", Integer.toString(taken.getLocalPort()), "resh serve: cannot listen for clients on 127.0.0.1:"
                        + taken.getLocalPort() + ": Address already in use; another program has that port: give listen.port"
                        + " in the config or --port another one (0: any free port)"},
                {"no-such-host.invalid", "0", "resh serve: gateway.yaml: listen.host: expected an address of this machine, like"
                        + " 127.0.0.1 or 0.0.0.0 (every interface), got 'no-such-host.invalid', which does not resolve"},
                {"192.0.2.1", "0", "resh serve: gateway.yaml: listen.host: expected an address of this machine, like 127.0.0.1"
                        + " or 0.0.0.0 (every interface), got '192.0.2.1' (Cannot assign requested address)"},
            };
            for (String[] c : cases) {
                Path yaml = dir.resolve("gateway.yaml");
                Path workDir = dir.resolve("gateway-work");
                Files.writeString(yaml, String.join("\n", "group: gw",
                        "server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no' }",
                        "workDir: " + workDir, "listen: { protocol: resp, host: '" + c[0] + "', port: " + c[1] + " }", ""));
                picocli.CommandLine cl = Resh.commandLine();
                java.io.StringWriter err = new java.io.StringWriter();
                cl.setErr(new java.io.PrintWriter(err, true));

                assertThat(cl.execute("serve", yaml.toString(), "--admin-port", "-1")).as(c[0]).isEqualTo(2);
                assertThat(err.toString().lines()).as(c[0]).containsExactly(c[2]);
                assertThat(workDir).as("%s: no server started", c[0]).doesNotExist();
            }
        }
    }

    /**
     * The client port is bound only after the replicas or servers started, so the probe of the admin port found an
     * equal one free: they started, then the admin API failed on the port resh itself held, with no hint why.
     */
    @Test
    void shouldRefuseAnAdminPortEqualToTheClientPortBeforeStartingAnything() throws Exception {
        int free;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            free = probe.getLocalPort();
        }
        String p = Integer.toString(free);
        Path workDir = dir.resolve("same-work");
        Files.writeString(dir.resolve("kv.yaml"), String.join("\n", "group: same", "service:",
                "  class: " + KvStore.class.getName(), "workDir: " + workDir, "listen: { host: 127.0.0.1, port: 0 }", ""));
        Files.writeString(dir.resolve("kv-port.yaml"), String.join("\n", "group: same", "service:",
                "  class: " + KvStore.class.getName(), "workDir: " + workDir, "listen: { port: " + p + " }", ""));
        Files.writeString(dir.resolve("gw.yaml"), String.join("\n", "group: gw",
                "server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no' }",
                "workDir: " + workDir, "listen: { protocol: resp, host: 0.0.0.0, port: " + p + " }", ""));
        String tail = "; the admin API needs a port of its own (0: any free one, -1: no admin API)";
        String[][] cases = {
            {"kv.yaml", "--port", "resh serve: --admin-port: 127.0.0.1:" + p + " is also the group's client port (--port)" + tail},
            {"kv-port.yaml", null, "resh serve: --admin-port: 127.0.0.1:" + p + " is also the group's client port (listen.port"
                    + " in kv-port.yaml)" + tail},
            {"gw.yaml", null, "resh serve: --admin-port: 127.0.0.1:" + p + " is also the gateway's port (listen.port in gw.yaml)"
                    + tail},
            {"gw.yaml", "-p", "resh serve: --admin-port: 127.0.0.1:" + p + " is also the gateway's port (--port)" + tail},
        };
        for (String[] c : cases) {
            picocli.CommandLine cl = Resh.commandLine();
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err, true));
            List<String> args = new java.util.ArrayList<>(List.of("serve", dir.resolve(c[0]).toString(), "--admin-port", p));
            if (c[1] != null) {
                args.addAll(List.of(c[1], p));
            }

            assertThat(cl.execute(args.toArray(String[]::new))).as(args.toString()).isEqualTo(2);
            assertThat(err.toString().lines()).as(args.toString()).containsExactly(c[2]);
            assertThat(workDir).as("%s: nothing started", args).doesNotExist();
        }
    }

    /** A UDP gateway's port was not probed (a TCP probe says nothing of it): found taken only after the servers started. */
    @Test
    void shouldRefuseAUdpGatewayPortInUseBeforeStartingAServer() throws Exception {
        try (java.net.DatagramSocket taken = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            Path yaml = dir.resolve("udp.yaml");
            Path workDir = dir.resolve("udp-work");
            Files.writeString(yaml, String.join("\n", "group: dns",
                    "server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no' }",
                    "workDir: " + workDir, "listen: { mode: udp, host: 127.0.0.1, port: " + taken.getLocalPort() + " }", ""));
            picocli.CommandLine cl = Resh.commandLine();
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err, true));

            assertThat(cl.execute("serve", yaml.toString(), "--admin-port", "-1")).isEqualTo(2);
            assertThat(err.toString().lines()).containsExactly("resh serve: cannot receive datagrams on 127.0.0.1:"
                    + taken.getLocalPort() + ": Address already in use; another program has that port: give listen.port"
                    + " in the config or --port another one (0: any free port)");
            assertThat(workDir).as("no server started").doesNotExist();
        }
    }

    /** {@code --id} and {@code --join} without a cluster: section were ignored: a lone group served instead. */
    @Test
    void shouldRefuseTheClusterOptionsForAConfigWithoutACluster() throws Exception {
        Path yaml = dir.resolve("lone.yaml");
        // A core that does not exist: if the options were ignored again, the start fails at once on it, not hangs.
        Files.writeString(yaml, String.join("\n", "group: lone", "service:", "  class: " + KvStore.class.getName(),
                "pin: true", "cpus: [4095]", "listen:", "  port: 0", ""));
        String[][] cases = {
            {"--join", "resh serve: --join: is for a cluster host, and lone.yaml has no cluster: section (docs/CLUSTER.md)"},
            {"--id=h1", "resh serve: --id: is for a cluster host, and lone.yaml has no cluster: section (docs/CLUSTER.md)"},
        };
        for (String[] c : cases) {
            picocli.CommandLine cl = Resh.commandLine();
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err, true));

            assertThat(cl.execute("serve", yaml.toString(), c[0], "--admin-port", "-1")).as(c[0]).isEqualTo(2);
            assertThat(err.toString().lines()).as(c[0]).containsExactly(c[1]);
        }
    }

    /**
     * {@code --admin-port -2} served with no admin API and no word, 70000 was reported as a field "admin.port"
     * the user never wrote, and {@code -p 99999} failed only when binding, in Java's words.
     */
    @Test
    void shouldRefuseAPortOptionOutOfRangeBeforeStartingAnything() throws Exception {
        Path yaml = dir.resolve("ports.yaml");
        Files.writeString(yaml, String.join("\n", "group: ports", "service:", "  class: " + KvStore.class.getName(), ""));
        String[][] cases = {
            {"--admin-port", "70000", "resh serve: --admin-port: expected -1 (off), 0 (any free port) or 1 to 65535, got 70000"},
            {"-p", "99999", "resh serve: --port: expected 0 (any free port) or 1 to 65535, got 99999"},
            {"--port", "-1", "resh serve: --port: expected 0 (any free port) or 1 to 65535, got -1"},
            // last: accepted, it served until stopped
            {"--admin-port", "-2", "resh serve: --admin-port: expected -1 (off), 0 (any free port) or 1 to 65535, got -2"},
        };
        for (String[] c : cases) {
            picocli.CommandLine cl = Resh.commandLine();
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err, true));

            assertThat(cl.execute("serve", yaml.toString(), c[0], c[1])).as("%s %s", c[0], c[1]).isEqualTo(2);
            assertThat(err.toString().lines()).as("%s %s", c[0], c[1]).containsExactly(c[2]);
        }
    }

    /**
     * A setting whose program is missing failed every replica start until the start timeout (30 s), and the error
     * named only the timeout; {@code pin: true} without taskset served unpinned without a word.
     */
    @Test
    void shouldNameTheSettingWhoseProgramIsNotInstalledBeforeStartingAReplica() throws Exception {
        Path emptyPath = Files.createDirectories(dir.resolve("no-programs"));
        Files.createDirectories(dir.resolve("tmp"));
        String[][] cases = {
            {"pin: true", "pin: taskset is not on PATH"},
            {"sandbox: bwrap", "sandbox: bwrap is not on PATH"},
            {"limits: { openFiles: 4096 }", "limits: prlimit is not on PATH"},
        };
        for (String[] c : cases) {
            Path yaml = dir.resolve("programs.yaml");
            Files.writeString(yaml, String.join("\n", "group: programs", "service:", "  class: " + KvStore.class.getName(),
                    c[0], "listen:", "  port: 0", ""));
            ProcessBuilder pb = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"),
                    "-Dlogback.configurationFile=logback.xml"), "serve", yaml.toString(), "--admin-port", "-1"))
                    .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
            pb.environment().put("PATH", emptyPath.toString());
            serve = pb.start();
            assertThat(serve.waitFor(20, TimeUnit.SECONDS)).as("%s: gives up at once", c[0]).isTrue();

            assertThat(serve.exitValue()).as(c[0]).isEqualTo(2);
            assertThat(stderr().lines().filter(l -> l.startsWith("resh serve: "))).as(c[0])
                    .singleElement().asString().startsWith("resh serve: programs.yaml: " + c[1] + ": ");
            assertThat(stderr()).as(c[0]).doesNotContain("replica 0");
        }
        try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
            assertThat(left.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("resh-")))
                    .as("no work directory was made").isEmpty();
        }
    }

    /**
     * An error in the config found only as the group starts (a service class that is not on the class path, a
     * server program that is not installed) came after "resh: starting group typo (3 replicas) from typo.yaml": the
     * user read that it started, then that it did not. Errors found while reading the YAML came first already.
     */
    @Test
    void shouldSayWhatStartsOnlyOnceTheChecksAtStartPassed() throws Exception {
        Path group = Files.writeString(dir.resolve("typo.yaml"), String.join("\n", "group: typo", "service:",
                "  class: io.example.KvStor", "listen:", "  port: 0", ""));
        Path gateway = Files.writeString(dir.resolve("noserver.yaml"), String.join("\n", "group: noserver",
                "server: { command: 'no-such-server --port {port}' }", "listen: { protocol: line, port: 0 }", ""));
        Files.createDirectories(dir.resolve("tmp"));
        String[][] cases = {
            {group.toString(), "resh serve: typo.yaml: service.class: no class io.example.KvStor on the replicas' class path"},
            {gateway.toString(), "resh serve: noserver.yaml: server.command: "},
        };
        for (String[] c : cases) {
            Path output = dir.resolve("output.txt");
            serve = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"),
                    "-Duser.home=" + dir.resolve("home"), "-Dlogback.configurationFile=logback.xml"), "serve", c[0],
                    "--admin-port", "-1")).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("%s: gives up at once", c[0]).isTrue();

            List<String> lines = Files.readAllLines(output);
            assertThat(serve.exitValue()).as("%s", lines).isEqualTo(2);
            assertThat(lines).as("stdout and stderr, in the order written").noneMatch(l -> l.contains("starting"))
                    .last().asString().startsWith(c[1]);
        }
    }

    /**
     * {@code resh serve} killed with kill -9 left its temporary work directory, replica logs and all, for ever. The
     * next one removes it, saying so, and leaves the directory of one still running.
     */
    @Test
    void shouldRemoveTheWorkDirectoryOfAServeKilledWithSigkillAndNoOther() throws Exception {
        List<Process> started = new java.util.ArrayList<>();
        try {
            Process killed = serveOneReplica("killed", started);
            Process running = serveOneReplica("running", started);
            Path killedDir = replicaLogs("killed", killed);
            Path runningDir = replicaLogs("running", running);
            ReshJvm.killTree(killed); // SIGKILL: no exit hook runs, nothing is deleted
            assertThat(killed.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(killedDir.resolve("replica-0.log")).as("left behind").exists();

            replicaLogs("later", serveOneReplica("later", started));

            assertThat(killedDir).doesNotExist();
            assertThat(runningDir.resolve("replica-0.log")).as("the running one's").exists();
            assertThat(Files.readString(dir.resolve("later.err")).lines().filter(l -> l.contains(killedDir.toString())))
                    .singleElement().asString().containsPattern("INFO  removed work directory " + java.util.regex.Pattern
                            .quote(killedDir.toString()) + " \\([0-9.]+ (bytes|KiB|MiB)\\) left behind by process "
                            + killed.pid() + ", which is gone \\(killed with kill -9, or crashed\\)$");
            assertThat(running.isAlive()).isTrue();
        } finally {
            started.forEach(ReshJvm::killTree);
        }
    }

    /** {@code resh serve} of a one-replica KV group {@code group}, its output in {@code group.out} and {@code group.err}. */
    private Process serveOneReplica(String group, List<Process> started) throws IOException {
        Path yaml = Files.writeString(dir.resolve(group + ".yaml"), String.join("\n", "group: " + group, "replicas: 1",
                "service:", "  class: " + KvStore.class.getName(), "listen:", "  host: 127.0.0.1", "  port: 0", ""));
        Files.createDirectories(dir.resolve("tmp"));
        Process p = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Duser.home=" + dir.resolve("home"), "-Dlogback.configurationFile=logback.xml", "-XX:TieredStopAtLevel=1"),
                "serve", yaml.toString(), "--admin-port", "-1")).redirectOutput(dir.resolve(group + ".out").toFile())
                .redirectError(dir.resolve(group + ".err").toFile()).start();
        started.add(p);
        return p;
    }

    /** Where {@code serving}, the {@code resh serve} of {@code group}, says its replica logs are, once it serves. */
    private Path replicaLogs(String group, Process serving) throws IOException {
        String marker = "; replica logs in ";
        try {
            // Generous: three JVMs of these tests start while the rest of the suite runs on two cores.
            return await().atMost(Duration.ofSeconds(120)).until(() -> {
                if (!serving.isAlive()) {
                    throw new IllegalStateException("resh serve of " + group + " exited with " + serving.exitValue()
                            + ": " + output(group));
                }
                return Files.readString(dir.resolve(group + ".out")).lines().filter(l -> l.contains(marker))
                        .map(l -> Path.of(l.substring(l.indexOf(marker) + marker.length()).strip())).findFirst()
                        .orElse(null);
            }, p -> p != null);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError("resh serve of " + group + " did not say where its replica logs are; it wrote: "
                    + output(group), e);
        }
    }

    private String output(String group) throws IOException {
        return Files.readString(dir.resolve(group + ".out")) + Files.readString(dir.resolve(group + ".err"));
    }

    /** A java.io.tmpdir that does not exist said "/nonexistent/resh-kv-…: no such file": a path the user never wrote. */
    @Test
    void shouldNameJavaIoTmpdirWhenNoTemporaryWorkDirectoryCanBeMade() throws Exception {
        Path yaml = dir.resolve("notmp.yaml");
        Files.writeString(yaml, String.join("\n", "group: notmp", "service:", "  class: " + KvStore.class.getName(),
                "listen:", "  port: 0", ""));
        Path missing = dir.resolve("no-such-tmp");
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + missing,
                "-Dlogback.configurationFile=logback.xml"), "serve", yaml.toString(), "--admin-port", "-1"))
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile()).start();
        assertThat(serve.waitFor(30, TimeUnit.SECONDS)).as("gives up at once").isTrue();

        assertThat(serve.exitValue()).isEqualTo(2);
        assertThat(stderr().lines().filter(l -> l.startsWith("resh serve: "))).singleElement().asString()
                .startsWith("resh serve: notmp.yaml: workDir: none given, and no temporary one can be made in " + missing
                        + " (java.io.tmpdir): ")
                .endsWith(": no such file or directory; set workDir, or -Djava.io.tmpdir to a directory resh can write");
        assertThat(missing).doesNotExist();
    }

    /** A workDir that cannot be created said "resh: /proc/nope: no such file or directory": no file, no field. */
    @Test
    void shouldNameTheFileAndFieldOfAWorkDirItCannotCreate() throws Exception {
        Path notADirectory = Files.writeString(dir.resolve("afile"), "not a directory");
        Path service = dir.resolve("wd.yaml");
        Files.writeString(service, String.join("\n", "group: wd", "service:", "  class: " + KvStore.class.getName(),
                "workDir: " + notADirectory.resolve("logs"), "listen:", "  port: 0", ""));
        Path gateway = dir.resolve("gw.yaml");
        Files.writeString(gateway, String.join("\n", "group: gw", "server: { command: 'true --port {port}' }", // a program that exists: it is looked up first
                "listen: { protocol: line }", "workDir: " + notADirectory.resolve("data"), ""));

        for (Path yaml : List.of(service, gateway)) {
            picocli.CommandLine cl = Resh.commandLine();
            java.io.StringWriter err = new java.io.StringWriter();
            cl.setErr(new java.io.PrintWriter(err, true));

            assertThat(cl.execute("serve", yaml.toString(), "--admin-port", "-1")).isEqualTo(2);
            assertThat(err.toString()).startsWith("resh serve: " + yaml.getFileName() + ": workDir: cannot create "
                    + notADirectory.resolve(yaml == service ? "logs" : "data"));
        }
    }

    /** A relative workDir was printed as given: "replica logs in logs", relative to wherever resh serve ran. */
    @Test
    void shouldSayWhereARelativeWorkDirIs() throws Exception {
        Path yaml = dir.resolve("relative.yaml");
        Files.writeString(yaml, String.join("\n", "group: relative", "service:", "  class: " + KvStore.class.getName(),
                "workDir: logs", "listen:", "  port: 0", ""));
        serve = new ProcessBuilder(ReshJvm.command(List.of("-Duser.home=" + dir.resolve("home"),
                "-Dlogback.configurationFile=logback.xml"), "serve", yaml.toString(), "--admin-port", "-1"))
                .directory(dir.toFile()).redirectOutput(dir.resolve("stdout.txt").toFile())
                .redirectError(dir.resolve("stderr.txt").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(dir.resolve("stdout.txt")).contains("serving on"));

        assertThat(Files.readString(dir.resolve("stdout.txt"))).contains("replica logs in " + dir.resolve("logs").toAbsolutePath());
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import io.resh.core.config.ReplicaSpec;
import io.resh.core.config.Sandbox;
import io.resh.host.testing.CounterService;
import io.resh.host.testing.GroupExtension;
import io.resh.host.testing.OtherJdk;
import io.resh.host.testing.StdoutWritingService;
import io.resh.host.testing.TestGroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Command lines for diverse runtimes, limits and sandbox; a group that really runs two JDKs; and one whose
 * JVMs log.
 */
class ReplicaLauncherTest {
    @RegisterExtension
    final GroupExtension groups = new GroupExtension();
    private ReplicaGroup group;

    @Test
    void shouldBuildEachVersionsOwnRuntimeAndFlagsUnderLimitsAndSandbox() {
        assumeTrue(Binaries.which("prlimit").isPresent() && Binaries.which("bwrap").isPresent(), "needs prlimit and bwrap");
        ReplicaSpec parallel = new ReplicaSpec(CounterService.class.getName(), "/opt/jdk-x", List.of("-XX:+UseParallelGC"), "par");
        GroupConfig c = TestGroups.counter("cmd", 3).version(parallel).sandbox(Sandbox.BWRAP).processLimits(512, 4096).build();
        List<String> cmd = new ReplicaLauncher(c, groups.dir()).command(0, parallel, 1);
        assertThat(cmd.get(0)).endsWith("prlimit");
        assertThat(cmd).containsSequence("--nofile=512:512", "--nproc=4096:4096", "--");
        assertThat(cmd.indexOf("--unshare-all")).isGreaterThan(cmd.indexOf("--"));
        if (CpuPinning.available()) {
            assertThat(cmd).containsSequence("taskset", "-c", "1");
        }
        assertThat(cmd).contains("/opt/jdk-x", "-XX:+UseParallelGC");
        assertThat(cmd.indexOf("-XX:+UseParallelGC")).isLessThan(cmd.indexOf("io.resh.replica.ReplicaMain"));
        assertThat(cmd.indexOf("-XX:+DisplayVMOutputToStderr")).as("the JVM's own output kept off the IPC channel first")
                .isLessThan(cmd.indexOf("-XX:+UseParallelGC"));
    }

    /**
     * A java: that does not exist started every replica, failed each, and ended in a two-line error quoting a
     * replica's log; a relative one was looked for in the replica's own directory, where it never is.
     */
    @Test
    void shouldRefuseAJavaThatCannotRunBeforeAnyReplicaStartsAndResolveARelativeOneHere() throws IOException {
        GroupConfig missing = TestGroups.counter("java", 3).java(groups.dir().resolve("no-jdk/bin/java").toString()).build();
        assertThatThrownBy(() -> ReplicaLauncher.requirePrograms(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage("service.java: " + groups.dir().resolve("no-jdk/bin/java") + " does not exist; give a java binary"
                        + " or a JDK directory, or leave java out for the JVM running resh");
        Path notJdk = Files.createDirectories(groups.dir().resolve("not-a-jdk"));
        assertThatThrownBy(() -> ReplicaLauncher.requirePrograms(TestGroups.counter("java", 3).java(notJdk.toString()).build()))
                .hasMessageStartingWith("service.java: " + notJdk + " is a directory without bin/java;");
        assertThatThrownBy(() -> ReplicaLauncher.requirePrograms(TestGroups.counter("java", 3).java("no-such-java-17").build()))
                .hasMessageStartingWith("service.java: no-such-java-17 is not on PATH;");

        String jdk = System.getProperty("java.home");
        assertThat(ReplicaLauncher.javaProblem(jdk)).isNull();
        assertThat(ReplicaLauncher.javaProblem("java")).isNull();
        assertThat(ReplicaLauncher.javaBinary("./jdk/bin/java"))
                .isEqualTo(Path.of("").toAbsolutePath().resolve("jdk/bin/java").toString());
    }

    /** Before: `lib/*` was passed on as it was and named a lib directory inside the replica's own directory. */
    @Test
    void shouldResolveARelativeWildcardAgainstTheHostsWorkingDirectoryAsAnyOtherEntry() {
        String cwd = Path.of("").toAbsolutePath().toString();

        assertThat(ReplicaLauncher.absolute("lib/*:*:lib/a.jar"))
                .isEqualTo(cwd + "/lib/*:" + cwd + "/*:" + cwd + "/lib/a.jar");
    }

    @Test
    @Tag("e2e")
    void shouldVoteAcrossTwoDifferentJdksAndGarbageCollectors() throws Exception {
        Path other = OtherJdk.find().orElse(null);
        assumeTrue(other != null, "no second JDK installed next to " + System.getProperty("java.home"));
        List<String> parallel = new ArrayList<>(TestGroups.FAST_JVM);
        parallel.set(0, "-XX:+UseParallelGC");
        group = groups.start(TestGroups.counter("jdks", 3, groups.dir())
                .version(new ReplicaSpec(CounterService.class.getName(), "java", TestGroups.FAST_JVM, "host-jdk"))
                .version(new ReplicaSpec(CounterService.class.getName(), other.toString(), TestGroups.FAST_JVM,
                        "jdk-" + OtherJdk.major(other).orElse("other")))
                .version(new ReplicaSpec(CounterService.class.getName(), "java", parallel, "host-jdk-parallel-gc"))
                .build());
        for (int i = 1; i <= 50; i++) {
            assertThat(new String(group.call(("add:" + i).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(20)),
                    StandardCharsets.UTF_8)).isEqualTo(Long.toString((long) i * (i + 1) / 2));
        }
        List<ReplicaStatus> rs = group.status().replicaStates();
        assertThat(command(rs.get(1).pid())).startsWith(other.toString());
        assertThat(command(rs.get(0).pid())).startsWith(Path.of(System.getProperty("java.home")).toString());
        assertThat(arguments(rs.get(2).pid())).contains("-XX:+UseParallelGC");
        assertThat(arguments(rs.get(0).pid())).doesNotContain("-XX:+UseParallelGC");
        assertThat(rs).extracting(ReplicaStatus::faults).containsOnly(0L);
    }

    /**
     * A replica's stdout is its IPC channel, and HotSpot logs to stdout by default: a group whose replicas
     * run with {@code -Xlog:gc} (or with {@code -XX:StartFlightRecording}) used to fail every start on a "bad
     * frame magic" and quarantine itself.
     */
    @Test
    @Tag("e2e")
    void shouldRunReplicasWhoseJvmLogsAndKeepThatLogInTheReplicaLog() throws Exception {
        List<String> jvmArgs = new ArrayList<>(TestGroups.FAST_JVM); // -XX:+UseSerialGC among them
        // a flight recording prints its start on stdout whatever the log configuration says, unless silenced
        jvmArgs.addAll(List.of("-Xlog:gc", "-verbose:class", "-XX:+PrintFlagsFinal", "-XX:StartFlightRecording"));
        group = groups.start(TestGroups.counter("jvmlog", 3, groups.dir()).jvmArgs(jvmArgs).build());
        for (int i = 1; i <= 20; i++) {
            assertThat(new String(group.call(("add:" + i).getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)),
                    StandardCharsets.UTF_8)).isEqualTo(Long.toString((long) i * (i + 1) / 2));
        }
        assertThat(group.status().replicaStates()).extracting(ReplicaStatus::faults).containsOnly(0L);
        for (int slot = 0; slot < 3; slot++) {
            Path log = group.replicaLog(slot);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readString(log))
                    .as("%s", log).contains("Using Serial", "io.resh.replica.ReplicaMain source:", "bool UseSerialGC"));
        }
    }

    /**
     * Frames leave a replica on a descriptor of their own; its fd 1 is its log. A child process that inherited
     * stdout, or a write straight to fd 1, put text among the frames: every replica was replaced for a protocol
     * fault at the first such request, and each replacement again when it replayed it. Also inside the sandbox.
     */
    @Test
    @Tag("e2e")
    void shouldKeepWhatAServiceWritesOnStdoutOutOfItsFrames() throws Exception {
        assumeTrue(Binaries.which("perl").isPresent(), "needs perl (without it the frames stay on fd 1)");
        List<Sandbox> sandboxes = new ArrayList<>(List.of(Sandbox.NONE));
        if (Binaries.which("bwrap").isPresent()) {
            sandboxes.add(Sandbox.BWRAP);
        }
        for (Sandbox sandbox : sandboxes) {
            String name = "stdout-" + sandbox.name().toLowerCase(java.util.Locale.ROOT);
            group = groups.start(TestGroups.of(name, 3, StdoutWritingService.class.getName(), groups.dir())
                    .sandbox(sandbox).build());
            for (String request : List.of("child:from a child process", "fd1:straight to fd 1", "child:again")) {
                assertThat(new String(group.call(request.getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)),
                        StandardCharsets.UTF_8)).as("%s %s", sandbox, request).isEqualTo("done");
            }
            assertThat(group.status().replicaStates()).as("%s", sandbox).extracting(ReplicaStatus::faults).containsOnly(0L);
            for (int slot = 0; slot < 3; slot++) {
                Path log = group.replicaLog(slot);
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(Files.readString(log)).as("%s", log)
                        .contains("from a child process", "straight to fd 1", "again"));
            }
            group.close();
        }
    }

    @Test
    @Tag("e2e")
    void shouldStartReplicasWhosePipesHoldTheConfiguredCapacity() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null && ReplicaPipes.bytes() > 0, "needs perl");
        group = groups.start(TestGroups.counter("pipes", 3, groups.dir()).build());
        assertThat(group.call("1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))).isNotEmpty();
        for (var replica : group.status().replicaStates()) {
            // stdin, and the descriptor the frames go back on (fd 1 is the replica's log)
            int channel = Integer.parseInt(environment(replica.pid()).get(io.resh.replica.ReplicaMain.CHANNEL_FD_VARIABLE));
            for (int fd : new int[] {0, channel}) {
                assertThat(capacity(perl, replica.pid(), fd)).as("replica %d fd %d", replica.index(), fd)
                        .isEqualTo(ReplicaPipes.bytes());
            }
        }
    }

    /**
     * A service compiled on its own, outside resh, whose jar or directory is all the user puts in
     * {@code service.classpath}: the replicas still find resh's runtime. The class path used to replace the
     * host's, and every replica start failed with "Could not find or load main class".
     */
    @Test
    @Tag("e2e")
    void shouldRunAServiceFromItsOwnClassPathNextToReshsRuntime() throws Exception {
        Path src = groups.dir().resolve("src/com/example/Shout.java");
        Files.createDirectories(src.getParent());
        Files.writeString(src, String.join("\n", "package com.example;",
                "public final class Shout implements io.resh.replica.ReplicatedService {",
                "    public byte[] execute(byte[] request, io.resh.replica.ExecutionContext ctx) {",
                "        return new String(request, java.nio.charset.StandardCharsets.UTF_8).toUpperCase()",
                "                .getBytes(java.nio.charset.StandardCharsets.UTF_8);",
                "    }",
                "    public void snapshot(java.io.OutputStream out) { }",
                "    public void restore(java.io.InputStream in) { }",
                "}", ""));
        Path classes = groups.dir().resolve("classes");
        javax.tools.JavaCompiler javac = javax.tools.ToolProvider.getSystemJavaCompiler();
        assumeTrue(javac != null, "needs a JDK's compiler");
        assertThat(javac.run(null, null, null, "-cp", System.getProperty("java.class.path"), "-d", classes.toString(),
                src.toString())).as("javac exit status").isZero();

        group = groups.start(TestGroups.of("ownpath", 3, "com.example.Shout", groups.dir())
                .classpath(classes.toString()).build());

        assertThat(new String(group.call("hello".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10)),
                StandardCharsets.UTF_8)).isEqualTo("HELLO");
    }

    /** F_GETPIPE_SZ of another process's pipe, opened through /proc (a pipe opened there is the same pipe). */
    private static int capacity(String perl, long pid, int fd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(perl, "-e", "open(my $f, '<', '/proc/" + pid + "/fd/" + fd + "') or die $!;"
                + " print fcntl($f, 1032, 0)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Integer.parseInt(out);
    }

    private static java.util.Map<String, String> environment(long pid) throws IOException {
        java.util.Map<String, String> env = new java.util.HashMap<>();
        for (String entry : Files.readString(Path.of("/proc", Long.toString(pid), "environ")).split("\0")) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        return env;
    }

    private static List<String> arguments(long pid) throws java.io.IOException {
        return List.of(Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).split("\0"));
    }

    private static String command(long pid) {
        return ProcessHandle.of(pid).orElseThrow().info().command().orElse("");
    }
}

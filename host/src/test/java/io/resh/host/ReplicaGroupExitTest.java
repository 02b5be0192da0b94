package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.host.testing.HostThatClosesDuringARestart;
import io.resh.host.testing.HostThatExits;
import io.resh.host.testing.HostThatStopsWhileStarting;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A host JVM that exits without closing its group must not leave replica processes behind, not even one
 * that is SIGSTOPped and so never reads the shutdown frame or the end of its input.
 */
@Tag("e2e")
class ReplicaGroupExitTest {
    @TempDir
    Path dir;

    private Process host;
    private final List<Long> pids = new ArrayList<>();

    @AfterEach
    void killEverything() {
        if (host != null) {
            host.destroyForcibly();
        }
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void shouldKillEveryReplicaIncludingAStoppedOneWhenTheHostExitsWithoutClose() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        host = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), HostThatExits.class.getName(),
                dir.resolve("work").toString()).redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(host.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) { // ends when the host exits; bounded by its own timeouts
                output.add(line);
                if (line.startsWith("pids ")) {
                    Arrays.stream(line.substring(5).trim().split(" ")).map(Long::parseLong).forEach(pids::add);
                }
            }
        }
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).as("host exited").isTrue();
        assertThat(pids).as("host output: %s", output).hasSize(3).allSatisfy(p -> assertThat(p).isPositive());

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(pids)
                .allSatisfy(p -> assertThat(ProcessHandle.of(p).filter(ProcessHandle::isAlive))
                        .as("replica process %d", p).isEqualTo(Optional.empty())));
    }

    /**
     * Ctrl-C while {@code ReplicaGroup.start} still waits for its replicas: nobody holds the group to close
     * it, and its temporary directory used to stay behind in /tmp. It goes, and no replica outlives the host.
     */
    @Test
    void shouldRemoveTheTemporaryDirectoryOfAGroupStoppedWhileStarting() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path tmp = Files.createDirectories(dir.resolve("tmp"));
        host = new ProcessBuilder(java, "-Djava.io.tmpdir=" + tmp, "-cp", System.getProperty("java.class.path"),
                HostThatStopsWhileStarting.class.getName(), "midstart")
                .redirectErrorStream(true).redirectOutput(dir.resolve("host.log").toFile()).start();
        await().atMost(Duration.ofSeconds(30)).until(() -> host.descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("-Dresh.group=midstart")).count() == 3);
        List<ProcessHandle> replicas = host.descendants().toList();
        replicas.forEach(p -> pids.add(p.pid())); // killed after the test whatever happens
        try (var listing = Files.list(tmp)) {
            assertThat(listing.map(p -> p.getFileName().toString())).singleElement().asString().startsWith("resh-midstart-");
        }

        host.destroy(); // SIGTERM
        assertThat(host.waitFor(30, TimeUnit.SECONDS)).as("host exited").isTrue();

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(replicas)
                .noneMatch(ProcessHandle::isAlive));
        try (var listing = Files.list(tmp)) {
            assertThat(listing.map(p -> p.getFileName().toString())).as("host output: %s",
                    Files.readString(dir.resolve("host.log"))).isEmpty();
        }
    }

    /**
     * A group closed while a replacement is still starting (a replica crashed; the replacement's shared body file
     * is made, its hello a minute away), in a host that halts right after close returns, as one does when its
     * exit hook closed the group (resh serve on SIGTERM). Close returned at once when a fault kept the work
     * directory, and the replacement's file, deleted by a thread that got no more time, stayed in /dev/shm.
     */
    @Test
    void shouldLeaveNoSharedBodyFileOfAReplacementStillStartingWhenTheGroupCloses() throws Exception {
        Path shm = Path.of("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(shm) && Files.isWritable(shm), "needs /dev/shm");
        String group = "restarting" + ProcessHandle.current().pid();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        host = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                HostThatClosesDuringARestart.class.getName(), group, dir.resolve("work").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("host.log").toFile()).start();
        assertThat(host.waitFor(60, TimeUnit.SECONDS)).as("host exited").isTrue();
        String log = Files.readString(dir.resolve("host.log"));
        assertThat(log).as("host output").contains("replacement started");
        assertThat(host.exitValue()).as("host output: %s", log).isZero();

        assertThat(sharedFiles(shm, group)).as("host output: %s", log).isEmpty();
    }

    private static List<Path> sharedFiles(Path shm, String group) throws java.io.IOException {
        try (var listing = Files.list(shm)) {
            return listing.filter(p -> p.getFileName().toString().startsWith(".resh-bodies-" + group + "-")).toList();
        }
    }
}

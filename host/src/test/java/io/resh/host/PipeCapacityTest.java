package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The replica's stdin and stdout pipes are enlarged before its command runs. */
class PipeCapacityTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();
    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private ReplicaGroup group;

    @AfterEach
    void close() {
        if (group != null) {
            group.close();
        }
    }

    @Test
    void shouldKeepTheDefaultPipesWithoutPerlOrBelowTheDefaultSize() {
        assertThat(PipeCapacity.prefix(null, 1 << 20, 1 << 20)).isEmpty();
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 0, 1 << 20)).isEmpty();
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 64 * 1024, 1 << 20)).isEmpty();
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 4 << 20, 1 << 20)).last().isEqualTo(Integer.toString(1 << 20));
        assertThat(PipeCapacity.prefix("/usr/bin/perl", 256 << 10, 0)).first().isEqualTo("/usr/bin/perl");
    }

    @Test
    void shouldEnlargeThePipesWhereverPerlIsInstalled() {
        // Guards the default: a prefix silently empty (a misread system maximum, say) would cost nothing visible.
        assumeTrue(Binaries.which("perl").isPresent(), "needs perl");
        assertThat(PipeCapacity.bytes()).isGreaterThan(64 * 1024);
    }

    @Test
    void shouldRunTheCommandWithBothPipesEnlarged() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null, "needs perl");
        List<String> cmd = new ArrayList<>(PipeCapacity.prefix(perl, 256 << 10, 1 << 20));
        // The command run after the prefix reports the capacity of its own stdin and stdout (F_GETPIPE_SZ).
        cmd.addAll(List.of(perl, "-e", "print fcntl(STDIN, 1032, 0), ' ', fcntl(STDOUT, 1032, 0)"));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(out).isEqualTo((256 << 10) + " " + (256 << 10));
    }

    @Test
    @Tag("e2e")
    void shouldStartReplicasWhosePipesHoldTheConfiguredCapacity() throws Exception {
        String perl = Binaries.which("perl").orElse(null);
        assumeTrue(perl != null && PipeCapacity.bytes() > 0, "needs perl");
        group = logs.watch(ReplicaGroup.start(TestGroups.counter("pipes", 3, dir).build()));
        assertThat(group.call("1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))).isNotEmpty();
        for (var replica : group.status().replicaStates()) {
            for (int fd = 0; fd <= 1; fd++) {
                assertThat(capacity(perl, replica.pid(), fd)).as("replica %d fd %d", replica.index(), fd)
                        .isEqualTo(PipeCapacity.bytes());
            }
        }
    }

    /** F_GETPIPE_SZ of another process's pipe, opened through /proc (a pipe opened there is the same pipe). */
    private static int capacity(String perl, long pid, int fd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(perl, "-e", "open(my $f, '<', '/proc/" + pid + "/fd/" + fd + "') or die $!;"
                + " print fcntl($f, 1032, 0)").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return Integer.parseInt(out);
    }
}

package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SharedBodyFileTest {
    @TempDir
    Path dir;

    /** The pid of a process that has exited (reaped, so no process has that pid until the kernel reuses it). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(ProcessHandle.of(p.pid())).isEmpty();
        return p.pid();
    }

    @Test
    void shouldDeleteOnlyTheFilesOfHostsThatNoLongerRun() throws Exception {
        long dead = deadPid();
        Path leftBehind = Files.createTempFile(dir, ".resh-bodies-kv-1.0.h" + dead + "-", "");
        Path ours = Files.createTempFile(dir, SharedBodyFile.prefix("kv", 2, 0), "");
        Path running = Files.createTempFile(dir, ".resh-bodies-kv-0.3.h1-", ""); // pid 1 always runs
        Path older = Files.createTempFile(dir, ".resh-bodies-kv-0.1-", ""); // no pid: cannot tell, keep it
        Path other = Files.createFile(dir.resolve("kv.h" + dead + "-12")); // not a body file at all

        assertThat(SharedBodyFile.sweep(dir)).isEqualTo(1);

        assertThat(leftBehind).doesNotExist();
        assertThat(ours).exists();
        assertThat(running).exists();
        assertThat(older).exists();
        assertThat(other).exists();
    }

    @Test
    void shouldNameTheHostThatCreatedTheFile() {
        String prefix = SharedBodyFile.prefix("kv", 1, 4);

        assertThat(prefix).isEqualTo(".resh-bodies-kv-1.4.h" + ProcessHandle.current().pid() + "-");
        assertThat(SharedBodyFile.leftBehind(prefix + "8231794")).as("this host runs").isFalse();
    }

    @Test
    void shouldSurviveADirectoryThatIsMissing() {
        assertThat(SharedBodyFile.sweep(dir.resolve("missing"))).isZero();
    }
}

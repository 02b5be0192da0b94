package io.resh.workdir;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A temporary work directory whose process was killed with SIGKILL stayed for ever. It is removed by the next group
 * made beside it once its owner is provably gone, and only then: a running owner's, this process's own, one kept on
 * purpose (no lock file) and one resh did not name are left alone.
 */
class WorkDirOwnerTest {
    @TempDir
    Path tmp;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(WorkDirOwner.class);
    private Process owner;

    @BeforeEach
    void listen() {
        logged.start();
        log.addAppender(logged);
    }

    @AfterEach
    void stop() {
        log.detachAppender(logged);
        if (owner != null) {
            owner.destroyForcibly();
        }
    }

    private List<String> lines() {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    /** Another JVM that claims {@code dir} as a group's process does; returns once it holds the lock. */
    private Process claimedByAnotherProcess(Path dir) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-Xmx32m", "-cp", System.getProperty("java.class.path"),
                ClaimsWorkDir.class.getName(), dir.toString()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertThat(out.readLine()).as("the other process claimed %s", dir).isEqualTo("claimed");
        return p;
    }

    @Test
    void shouldRemoveTheDirectoryOfAKilledProcessOnlyOnceItIsGone() throws Exception {
        Path ours = Files.createDirectory(tmp.resolve("resh-new-1"));
        WorkDirOwner claimed = WorkDirOwner.claim(ours);
        Path left = Files.createDirectory(tmp.resolve("resh-kv-2"));
        owner = claimedByAnotherProcess(left);

        WorkDirOwner.removeLeftovers(tmp, ours);

        assertThat(left.resolve("replica-0.log")).as("its owner runs").exists();
        assertThat(lines()).isEmpty();

        long pid = owner.pid();
        owner.destroyForcibly(); // SIGKILL: the process closes nothing, the kernel drops its lock
        assertThat(owner.waitFor(10, TimeUnit.SECONDS)).isTrue();
        WorkDirOwner.removeLeftovers(tmp, ours);

        assertThat(left).doesNotExist();
        assertThat(lines()).containsExactly("removed work directory " + left + " (2.0 KiB) left behind by process " + pid
                + ", which is gone (killed with kill -9, or crashed)");
        assertThat(ours.resolve("owner-" + ProcessHandle.current().pid() + ".lock")).as("our own").exists();
        claimed.release();
        assertThat(ours).isEmptyDirectory();
    }

    @Test
    void shouldLeaveAloneWhatItCannotProveALeftover() throws Exception {
        Path ours = Files.createDirectory(tmp.resolve("resh-new-1"));
        long self = ProcessHandle.current().pid();
        // Another group of this process: its lock file is never opened here (closing it would drop the lock).
        Path sibling = Files.createDirectory(tmp.resolve("resh-sibling-2"));
        WorkDirOwner siblingOwner = WorkDirOwner.claim(sibling);
        // Kept for a post-mortem, or made by a resh before lock files: nothing proves its process gone.
        Path kept = Files.createDirectory(tmp.resolve("resh-kept-3"));
        Files.writeString(kept.resolve("replica-0.log"), "crash");
        // Not named as resh names its directories, though its lock file is nobody's.
        Path foreign = Files.createDirectory(tmp.resolve("other-4"));
        Files.writeString(foreign.resolve("owner-1.lock"), "");
        // A link named like a work directory, to a directory with a lock file nobody holds: not followed.
        Path target = Files.createDirectory(tmp.resolve("target"));
        Files.writeString(target.resolve("owner-1.lock"), "");
        Path link = Files.createSymbolicLink(tmp.resolve("resh-link-5"), target);

        WorkDirOwner.removeLeftovers(tmp, ours);

        assertThat(sibling.resolve("owner-" + self + ".lock")).exists();
        assertThat(kept.resolve("replica-0.log")).exists();
        assertThat(foreign.resolve("owner-1.lock")).exists();
        assertThat(link).exists();
        assertThat(target.resolve("owner-1.lock")).exists();
        assertThat(lines()).isEmpty();
        siblingOwner.release();
    }

    @Test
    void shouldSayTheSizeAsAReaderWantsIt() {
        assertThat(WorkDirOwner.readable(1)).isEqualTo("1 byte");
        assertThat(WorkDirOwner.readable(812)).isEqualTo("812 bytes");
        assertThat(WorkDirOwner.readable(3482)).isEqualTo("3.4 KiB");
        assertThat(WorkDirOwner.readable(17L << 20)).isEqualTo("17.0 MiB");
    }
}

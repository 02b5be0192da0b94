package io.resh.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class WorkDirectoryTest {
    @TempDir
    Path outside;

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private final Logger log = (Logger) LoggerFactory.getLogger(WorkDirectory.class);
    private WorkDirectory dir;
    private Path pinned;

    @BeforeEach
    void create() {
        logged.start();
        log.addAppender(logged);
        dir = WorkDirectory.create(GroupConfig.builder("wd").service("a.B").build());
    }

    @AfterEach
    void cleanUp() throws Exception {
        log.detachAppender(logged);
        if (pinned != null) {
            unpin(pinned);
        }
        if (Files.exists(dir.path())) {
            dir.delete();
        }
    }

    /** A workDir that cannot be created said only "/proc/nope: no such file or directory", with no field. */
    @Test
    void shouldNameTheWorkDirFieldWhenItCannotBeCreated() throws IOException {
        Path file = Files.writeString(outside.resolve("afile"), "not a directory");
        String workDir = file.resolve("logs").toString();

        assertThatThrownBy(() -> WorkDirectory.create(GroupConfig.builder("wd").service("a.B").workDir(workDir).build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("workDir: cannot create " + workDir)
                .hasMessageEndingWith("; name a directory resh can create, or leave workDir out for a temporary one")
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo("workDir"));
    }

    @Test
    void shouldNotRepeatTheWorkDirWhenItIsTheOneThatCannotBeCreated() {
        assumeThat(Path.of("/proc/self")).as("Linux /proc, where no directory can be made").exists();

        assertThatThrownBy(() -> WorkDirectory.create(GroupConfig.builder("wd").service("a.B").workDir("/proc/nope").build()))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("workDir: cannot create /proc/nope: no such file or directory; name a directory");
    }

    @Test
    void shouldDeleteEverythingInsideWithoutFollowingALinkOutOfIt() throws IOException {
        Path precious = Files.writeString(outside.resolve("precious.txt"), "not the group's");
        Path replica = Files.createDirectories(dir.path().resolve("replica-0").resolve("nested"));
        Files.writeString(replica.resolve("resh-restore-1.snapshot"), "x".repeat(10_000));
        Files.writeString(dir.path().resolve("replica-0.log"), "log");
        Files.createSymbolicLink(dir.path().resolve("replica-0").resolve("escape"), outside);

        assertThat(dir.keptAnyway()).isNull();
        dir.delete();

        assertThat(dir.path()).doesNotExist();
        assertThat(precious).hasContent("not the group's");
        assertThat(logged.list).isEmpty();
    }

    @Test
    void shouldLogOneLineAndNotThrowWhenSomethingCannotBeDeleted() throws Exception {
        Path stuck = Files.createDirectories(dir.path().resolve("replica-0"));
        Path file = Files.writeString(stuck.resolve("held.txt"), "x");
        pinned = file;
        assumeThat(pin(file)).as("a file this user cannot delete (read-only directory, or chattr +i as root)").isTrue();

        dir.delete();

        assertThat(file).exists();
        assertThat(logged.list).singleElement().satisfies(e -> assertThat(e.getFormattedMessage())
                .startsWith("group wd: could not delete work directory " + dir.path() + ": 3 entries left, first "
                        + file));
    }

    @Test
    void shouldAlwaysKeepAConfiguredDirectoryAndATemporaryOneItIsToldToKeep() {
        GroupConfig configured = GroupConfig.builder("wd").service("a.B").workDir(outside.resolve("w").toString()).build();
        GroupConfig keep = GroupConfig.builder("wd").service("a.B").keepWorkDir(true).build();
        WorkDirectory mine = WorkDirectory.create(configured);
        WorkDirectory kept = WorkDirectory.create(keep);
        try {
            assertThat(mine.path()).isDirectory();
            assertThat(mine.keptAnyway()).contains("configured");
            assertThat(kept.keptAnyway()).contains("keepWorkDir");
        } finally {
            kept.delete();
        }
    }

    /** Makes {@code file} impossible to delete: a read-only directory stops a user, root needs the immutable flag. */
    private static boolean pin(Path file) throws Exception {
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("r-xr-xr-x"));
        if (!Files.isWritable(file.getParent())) {
            return true;
        }
        return run("chattr", "+i", file.toString());
    }

    private static void unpin(Path file) throws Exception {
        if (Files.exists(file)) {
            run("chattr", "-i", file.toString());
        }
        Files.setPosixFilePermissions(file.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private static boolean run(String... command) throws InterruptedException {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false; // no chattr here
        }
    }
}

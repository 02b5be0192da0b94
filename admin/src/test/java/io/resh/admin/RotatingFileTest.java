package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RotatingFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldRotateBySizeKeepWholeLinesAndDropTheOldestFiles() throws Exception {
        Path file = dir.resolve("events.jsonl");
        String line = "x".repeat(99); // 100 bytes with the newline
        try (RotatingFile f = new RotatingFile(file, 1000, 2)) {
            for (int i = 0; i < 35; i++) {
                f.appendLine(String.format("%02d", i) + line.substring(2));
            }
        }

        assertThat(Files.readAllLines(file)).hasSize(5);
        assertThat(Files.readAllLines(dir.resolve("events.jsonl.1"))).hasSize(10);
        assertThat(Files.readAllLines(dir.resolve("events.jsonl.2"))).hasSize(10);
        assertThat(dir.resolve("events.jsonl.3")).doesNotExist();
        List<String> all = new ArrayList<>(Files.readAllLines(dir.resolve("events.jsonl.2")));
        all.addAll(Files.readAllLines(dir.resolve("events.jsonl.1")));
        all.addAll(Files.readAllLines(file));
        assertThat(all).allSatisfy(l -> assertThat(l).hasSize(99));
        assertThat(all.get(0)).startsWith("10");
        assertThat(all.get(all.size() - 1)).startsWith("34");
    }

    @Test
    void shouldAppendToAnExistingFileAcrossRestarts() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (RotatingFile f = new RotatingFile(file, 10_000, 3)) {
            f.appendLine("one");
        }
        try (RotatingFile f = new RotatingFile(file, 10_000, 3)) {
            f.appendLine("two");
        }

        assertThat(Files.readAllLines(file)).containsExactly("one", "two");
    }

    /** Events carry request details: the log and its rotated files were 644 beside a 600 token. */
    @Test
    void shouldKeepTheCurrentAndRotatedFilesReadableByTheOwnerOnly() throws Exception {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file system");
        Path file = dir.resolve("home").resolve("events.jsonl");
        try (RotatingFile f = new RotatingFile(file, 100, 2)) {
            for (int i = 0; i < 5; i++) {
                f.appendLine("x".repeat(60));
            }
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f(file, 1)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f(file, 2)))).isEqualTo("rw-------");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent()))).isEqualTo("rwx------");
    }

    @Test
    void shouldNarrowTheLogThatAnOlderVersionLeftReadableByOthers() throws Exception {
        Assumptions.assumeTrue(Files.getFileAttributeView(dir, PosixFileAttributeView.class) != null, "POSIX file system");
        Path file = dir.resolve("events.jsonl");
        Files.writeString(file, "old\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));

        try (RotatingFile f = new RotatingFile(file, 10_000, 2)) {
            f.appendLine("new");
        }

        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readAllLines(file)).containsExactly("old", "new");
    }

    private static Path f(Path file, int generation) {
        return file.resolveSibling(file.getFileName() + "." + generation);
    }
}

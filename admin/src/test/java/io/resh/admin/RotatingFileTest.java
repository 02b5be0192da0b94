package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

    /**
     * Two serves from one home append to one {@code events.jsonl}: each rotated by its own count of what it wrote,
     * so the file grew to twice its bound, and the other went on appending to the file it had renamed away.
     */
    @Test
    void shouldRotateByTheFileSizeWhenTwoWritersShareTheFile() throws Exception {
        Path file = dir.resolve("events.jsonl");
        try (RotatingFile a = new RotatingFile(file, 1000, 20); RotatingFile b = new RotatingFile(file, 1000, 20)) {
            for (int i = 0; i < 60; i++) {
                a.appendLine(line("a", i));
                b.appendLine(line("b", i));
            }
        }

        List<String> all = linesOldestFirst(file, 20, 1000);
        assertThat(all).hasSize(120);
        assertThat(all).filteredOn(l -> l.startsWith("a")).containsExactlyElementsOf(numbered("a", 60));
        assertThat(all).filteredOn(l -> l.startsWith("b")).containsExactlyElementsOf(numbered("b", 60));
        assertThat(all.get(all.size() - 1)).isEqualTo(line("b", 59));
    }

    /** The same, with the writers in three processes, which only the lock on {@code events.jsonl.lock} keeps apart. */
    @Test
    void shouldKeepEveryLineOfThreeProcessesAppendingAtOnce() throws Exception {
        Path file = dir.resolve("events.jsonl");
        Path go = dir.resolve("go");
        int lines = 1500;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> writers = new ArrayList<>();
        for (String tag : List.of("p", "q", "r")) {
            writers.add(new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), RotatingFileWriter.class.getName(),
                    file.toString(), "4000", "200", tag, Integer.toString(lines), go.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve(tag + ".out").toFile()).start());
        }
        Files.createFile(go);
        for (int i = 0; i < writers.size(); i++) {
            Process w = writers.get(i);
            assertThat(w.waitFor(60, TimeUnit.SECONDS)).as("a writer ended within 60 s").isTrue();
            Path out = dir.resolve(List.of("p", "q", "r").get(i) + ".out");
            assertThat(w.exitValue()).as("writer output: %s", Files.readString(out)).isZero();
        }

        List<String> all = linesOldestFirst(file, 200, 4000);
        assertThat(all).hasSize(3 * lines);
        for (String tag : List.of("p", "q", "r")) {
            assertThat(all).filteredOn(l -> l.startsWith(tag)).containsExactlyElementsOf(numbered(tag, lines));
        }
    }

    /** A line of a test writer: its tag and number, padded to 50 bytes with the newline. */
    static String line(String tag, int i) {
        String head = tag + String.format("%05d", i);
        return head + "-".repeat(49 - head.length());
    }

    private static List<String> numbered(String tag, int count) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            out.add(line(tag, i));
        }
        return out;
    }

    /** Every line of the file and its rotated generations, oldest first, each file checked against the bound. */
    private static List<String> linesOldestFirst(Path file, int keep, long maxBytes) throws Exception {
        assertThat(f(file, keep)).as("more rotations than the test means to make").doesNotExist();
        List<String> all = new ArrayList<>();
        for (int g = keep; g >= 0; g--) {
            Path p = g == 0 ? file : f(file, g);
            if (Files.exists(p)) {
                assertThat(Files.size(p)).as("size of %s", p.getFileName()).isLessThanOrEqualTo(maxBytes);
                all.addAll(Files.readAllLines(p));
            }
        }
        return all;
    }

    private static Path f(Path file, int generation) {
        return file.resolveSibling(file.getFileName() + "." + generation);
    }
}

package io.resh.workdir;

import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The removal of a work directory and what it holds: files on the way down, directories on the way up, without
 * following links, carrying on past what it cannot delete. A work directory is removed when its group closes or as a
 * dead process's leftover, where one entry that cannot go must not keep the rest; the result says what was left.
 */
public final class Deletion {
    private int failures;
    private String first;

    private Deletion() {
    }

    /** Deletes {@code dir} and what it holds, without following links; the result says what was left. */
    public static Deletion of(Path dir) {
        Deletion deletion = new Deletion();
        try {
            Files.walkFileTree(dir, deletion.new Walk());
        } catch (IOException | RuntimeException e) {
            deletion.failed(dir, e);
        }
        return deletion;
    }

    /** How many entries could not be deleted (or looked into): 0 when the directory is gone. */
    public int failures() {
        return failures;
    }

    /** The first entry that could not be deleted, and why; null when none. */
    public String first() {
        return first;
    }

    private void failed(Path p, Exception e) {
        if (failures++ == 0) {
            first = p + ": " + e;
        }
    }

    private final class Walk extends SimpleFileVisitor<Path> {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
            remove(file);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
            failed(file, e);
            return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult postVisitDirectory(Path dir, IOException e) {
            if (e != null) {
                failed(dir, e);
            }
            remove(dir);
            return FileVisitResult.CONTINUE;
        }

        private void remove(Path p) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException | RuntimeException e) {
                failed(p, e);
            }
        }
    }
}

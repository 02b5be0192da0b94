package io.resh.admin;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * An append-only text file that rotates by size: {@code events.jsonl} is current, {@code events.jsonl.1}
 * the previous one, up to {@code .N}; older files are deleted. A line is never split across files. Not
 * thread-safe: one writer thread owns it.
 *
 * <p>On a POSIX file system the files are readable by their owner only, as the admin token is: events carry
 * request details (a request of death's bytes, a fault's evidence).
 */
final class RotatingFile implements AutoCloseable {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private OutputStream out;
    private long size;

    RotatingFile(Path file, long maxBytes, int keep) throws IOException {
        this.file = file;
        this.maxBytes = maxBytes;
        this.keep = keep;
        Path dir = file.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
            if (posix(dir.getRoot())) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(dir);
            }
        }
        open();
    }

    private static boolean posix(Path p) {
        return p != null && Files.getFileAttributeView(p, PosixFileAttributeView.class) != null;
    }

    private void open() throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        if (posix(dir)) {
            try {
                // Created owner-only, so no event is ever readable by others, not even before a chmod.
                Files.createFile(file, PosixFilePermissions.asFileAttribute(OWNER_ONLY));
            } catch (FileAlreadyExistsException e) {
                // An older version created it with the umask's permissions (644, typically): narrowed too.
                try {
                    if (!Files.getPosixFilePermissions(file).equals(OWNER_ONLY)) {
                        Files.setPosixFilePermissions(file, OWNER_ONLY);
                    }
                } catch (IOException notOurs) {
                    // Another user's file we may still append to: its owner decides who reads it, as before.
                }
            }
        }
        out = Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(file);
    }

    /** Appends {@code line} and a newline, flushed: a crash of the host loses no event already written. */
    void appendLine(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        if (size > 0 && size + bytes.length > maxBytes) {
            rotate();
        }
        out.write(bytes);
        out.flush();
        size += bytes.length;
    }

    private void rotate() throws IOException {
        out.close();
        Files.deleteIfExists(rotated(keep));
        for (int i = keep - 1; i >= 1; i--) {
            if (Files.exists(rotated(i))) {
                Files.move(rotated(i), rotated(i + 1), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.move(file, rotated(1), StandardCopyOption.REPLACE_EXISTING);
        open();
    }

    Path rotated(int generation) {
        return file.resolveSibling(file.getFileName() + "." + generation);
    }

    Path path() {
        return file;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}

package io.resh.admin;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * An append-only text file that rotates by size: {@code events.jsonl} is current, {@code events.jsonl.1}
 * the previous one, up to {@code .N}; older files are deleted. A line is never split across files. Not
 * thread-safe: one writer thread owns it.
 *
 * <p>Several writers may share the files: every {@code resh serve} started from one home appends to the same
 * {@code events.jsonl}. Each append therefore holds a lock on {@code events.jsonl.lock} (a POSIX record lock, which
 * other processes see), takes the size from the file rather than from what this writer wrote, and reopens the
 * file when another writer rotated it. Without that, each writer rotated by its own count, the other went on
 * appending to the renamed file, and its lines were deleted with that file a few rotations later.
 *
 * <p>On a POSIX file system the files are readable by their owner only, as the admin token is: events carry
 * request details (a request of death's bytes, a fault's evidence).
 */
final class RotatingFile implements AutoCloseable {
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Writers of one file in this JVM: a process's record locks do not exclude each other, so they take turns here. */
    private static final ConcurrentHashMap<Path, Object> WRITERS = new ConcurrentHashMap<>();

    private final Path file;
    private final long maxBytes;
    private final int keep;
    private final Object turn;
    private final FileChannel lock;
    private FileChannel out;
    /** The identity of the file {@link #out} appends to, to notice that another writer moved it away. */
    private Object outKey;

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
        this.turn = WRITERS.computeIfAbsent(file.toAbsolutePath().normalize(), p -> new Object());
        Path lockFile = file.resolveSibling(file.getFileName() + ".lock");
        FileAttribute<?>[] ownerOnly = posix(lockFile.toAbsolutePath().getParent())
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(OWNER_ONLY)} : new FileAttribute<?>[0];
        this.lock = FileChannel.open(lockFile, Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE), ownerOnly);
        try {
            synchronized (turn) {
                try (FileLock held = lock.lock()) {
                    open();
                }
            }
        } catch (IOException | RuntimeException e) {
            lock.close();
            throw e;
        }
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
        out = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        outKey = Files.readAttributes(file, BasicFileAttributes.class).fileKey();
    }

    /** Appends {@code line} and a newline, written through: a crash of the host loses no event already written. */
    void appendLine(String line) throws IOException {
        byte[] bytes = (line + "\n").getBytes(StandardCharsets.UTF_8);
        synchronized (turn) {
            try (FileLock held = lock.lock()) {
                if (!stillCurrent()) {
                    out.close();
                    open();
                }
                long size = out.size();
                if (size > 0 && size + bytes.length > maxBytes) {
                    rotate();
                }
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    out.write(buf);
                }
            }
        }
    }

    /** Whether {@link #out} is still the file at {@link #file}, and not one another writer rotated away. */
    private boolean stillCurrent() throws IOException {
        if (outKey == null) {
            return true; // a file system without file keys: no rotation by others can be seen, as before
        }
        try {
            return Objects.equals(outKey, Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey());
        } catch (NoSuchFileException e) {
            return false;
        }
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
        synchronized (turn) {
            try {
                out.close();
            } finally {
                lock.close(); // drops this process's lock on it, held by no other writer here at this point
            }
        }
    }
}

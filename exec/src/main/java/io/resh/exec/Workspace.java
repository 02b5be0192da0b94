package io.resh.exec;

import io.resh.core.FileErrors;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.Set;
import java.util.stream.Stream;

/**
 * One private work directory per replica, under a fresh directory of its own, and next to each the named
 * pipes that carry the replica's stdout and stderr ({@link OutputPipe}).
 *
 * <p>Each work directory starts with a symbolic link to every entry of the start directory, so a
 * command's relative input paths ({@code sort data.txt}) resolve as they would in the start
 * directory, while every file the replica creates stays private. Declared outputs are never
 * linked: their parent directories are real directories (whose other entries are linked), and an
 * output that already exists is copied, so each replica edits its own copy of what the command would
 * have found in place ({@code sort -o data.txt data.txt}, {@code sed -i}).
 * Closing deletes everything; it may be called twice (by the run and by resh's shutdown hook).
 */
final class Workspace implements AutoCloseable {
    private final Path root;
    private final List<Path> dirs;
    private final boolean keep;
    private boolean closed;

    private Workspace(Path root, List<Path> dirs, boolean keep) {
        this.root = root;
        this.dirs = dirs;
        this.keep = keep;
    }

    /**
     * Creates the work directories of one attempt.
     *
     * @param abandoned true once resh is exiting (a signal): creation stops early, and the directories made so far
     *     are returned for the caller to delete
     */
    static Workspace create(ExecPlan plan, BooleanSupplier abandoned) {
        ExecOptions options = plan.options();
        Path root = null;
        try {
            root = Files.createTempDirectory(plan.workRoot(), "resh-exec-").toRealPath();
            OutputTree outputs = new OutputTree();
            options.outputs().forEach(outputs::add);
            List<Path> dirs = new ArrayList<>();
            List<Path> pipes = new ArrayList<>();
            // Started in the work root itself (cd /tmp, --work-root .): resh's own temporary files are there too.
            boolean startedInWorkRoot = plan.startDir().equals(root.getParent());
            for (int i = 0; i < plan.replicas() && !abandoned.getAsBoolean(); i++) {
                Path dir = Files.createDirectory(root.resolve("replica-" + i));
                if (options.linkStartDir()) {
                    link(plan.startDir(), dir, root, outputs, startedInWorkRoot, abandoned);
                }
                for (Path out : options.outputs()) {
                    Path parent = dir.resolve(out).getParent();
                    if (parent != null) {
                        Files.createDirectories(parent);
                    }
                }
                dirs.add(dir);
                pipes.add(pipe(root, i, "stdout"));
                pipes.add(pipe(root, i, "stderr"));
            }
            OutputPipe.create(pipes);
            return new Workspace(root, List.copyOf(dirs), options.keepWorkDirs());
        } catch (ExecSetupException e) {
            deleteTree(root);
            throw e;
        } catch (IOException e) {
            if (root != null) {
                deleteTree(root);
            }
            throw new ExecSetupException(ExitCodes.SETUP_FAILED,
                    "cannot create replica work directories: " + FileErrors.describe(e), e);
        }
    }

    /** Replica {@code replica}'s work directory. */
    Path dir(int replica) {
        return dirs.get(replica);
    }

    /**
     * The named pipe that carries replica {@code replica}'s {@code channel} (stdout or stderr) to resh. Next to
     * the work directories, not in them, so the replica does not find it among its files.
     */
    Path pipe(int replica, String channel) {
        return pipe(root, replica, channel);
    }

    private static Path pipe(Path root, int replica, String channel) {
        return root.resolve("replica-" + replica + "." + channel);
    }

    /** Deletes every work directory unless asked to keep them. Links are removed, never followed. */
    @Override
    public void close() {
        delete();
    }

    /** As {@link #close()}; safe to call from another thread, and more than once. */
    synchronized void delete() {
        if (!keep && !closed) {
            closed = true;
            deleteTree(root);
        }
    }

    /**
     * Links every entry of {@code startDir} into {@code dir}, except the declared outputs and the directories
     * on their way: those become real directories, filled the same way one level down, and an output that
     * exists as a regular file is copied (a link would let every replica write the one original).
     */
    private static void link(Path startDir, Path dir, Path root, OutputTree outputs, boolean skipTemporaries,
                             BooleanSupplier abandoned) throws IOException {
        try (Stream<Path> entries = Files.list(startDir)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (abandoned.getAsBoolean()) {
                    return;
                }
                // Resolved as a Path, not as its String: that would hold U+FFFD for each byte the locale's character
                // set does not hold, and name a file that is not there.
                Path name = entry.getFileName();
                if (root.startsWith(entry) || skipTemporaries && isTemporary(name.toString())) {
                    continue;
                }
                OutputTree below = outputs.child(name.toString());
                if (below == null) {
                    Files.createSymbolicLink(dir.resolve(name), entry);
                } else if (below.isOutput()) {
                    if (Files.isRegularFile(entry)) {
                        Files.copy(entry, dir.resolve(name));
                    }
                } else if (Files.isDirectory(entry)) {
                    link(entry, Files.createDirectory(dir.resolve(name)), root, below, false, abandoned);
                }
            }
        }
    }

    /**
     * A file resh keeps in its work root while it runs: the copy of stdin, the output held by --buffer, another
     * run's work directories. Linked into the work directories, they showed up in what the replicas listed
     * ({@code ls}, {@code tar c .}) under names that differ from run to run.
     */
    private static boolean isTemporary(String name) {
        return name.startsWith("resh-exec-") || name.startsWith("resh-stdin-") && name.endsWith(".bin");
    }

    /** The declared outputs as a tree of path names: a node is an output, or a directory on the way to some. */
    private static final class OutputTree {
        private final Map<String, OutputTree> children = new HashMap<>();

        void add(Path output) {
            OutputTree node = this;
            for (Path name : output) {
                node = node.children.computeIfAbsent(name.toString(), k -> new OutputTree());
            }
        }

        OutputTree child(String name) {
            return children.get(name);
        }

        /** An output itself, not only a directory that holds one (an output with outputs below it is a directory). */
        boolean isOutput() {
            return children.isEmpty();
        }
    }

    /** Gives the owner (resh's user, who made it) read, write and search permission on {@code dir}. */
    private static boolean openToOwner(Path dir) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS);
            permissions.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE));
            Files.setPosixFilePermissions(dir, permissions);
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                    // A replica may leave a directory without write permission (chmod -R a-w, a Go module cache):
                    // nothing in it could be removed. Links are not followed, so only resh's own tree is changed.
                    if (!Files.isWritable(dir)) {
                        openToOwner(dir);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    // A directory the replica made unreadable (chmod 000) could not be listed: open it, walk it again.
                    if (e instanceof AccessDeniedException && Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)
                            && openToOwner(file)) {
                        deleteTree(file);
                    }
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // A leftover temp directory is not worth failing a finished run for.
        }
    }
}

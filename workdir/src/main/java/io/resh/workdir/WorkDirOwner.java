package io.resh.workdir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Proof that the process which made a temporary work directory still runs: {@code owner-PID.lock} in it, locked
 * for as long as the directory is the group's (or the gateway's). The group deletes its directory when it closes, but a process
 * killed with SIGKILL (or one that crashed, or lost its machine) closes nothing, and its directory stayed in the
 * temporary directory for ever. The kernel releases a lock when its process ends, however it ends, so a lock that
 * another process can take is one whose owner is gone: {@link #removeLeftovers} removes such directories.
 *
 * <p>The lock is a POSIX record lock ({@link FileChannel#tryLock()}), which the kernel holds per process and which
 * any other process sees, in another PID namespace too; a process's own pid is therefore in the file's name, so
 * that it never opens a lock file of its own: closing any descriptor of a file drops every lock the process holds
 * on it. A directory kept on purpose (for a post-mortem, or {@code keepWorkDir}) holds no lock file, and one
 * without, as a resh before this made them, is never removed.
 */
public final class WorkDirOwner {
    /** Its own logger, apart from the group's or gateway's: these lines are about other processes' directories. */
    private static final Logger LOG = LoggerFactory.getLogger(WorkDirOwner.class);
    /**
     * The temporary work directories groups and gateways make, {@code resh-<group>-<random>} and
     * {@code resh-gateway-<group><random>}: each one's sweep removes the other's leftovers too.
     */
    static final String DIRECTORY_GLOB = "resh-*";
    private static final Pattern LOCK_FILE = Pattern.compile("owner-(\\d+)\\.lock");

    private final Path file;
    private final FileChannel channel;

    private WorkDirOwner(Path file, FileChannel channel) {
        this.file = file;
        this.channel = channel;
    }

    /**
     * Locks {@code dir} for this process, until {@link #release}.
     *
     * @throws IOException if the lock file cannot be made or locked (a file system without locks)
     */
    public static WorkDirOwner claim(Path dir) throws IOException {
        Path file = dir.resolve("owner-" + ProcessHandle.current().pid() + ".lock");
        // Locked under another name and then moved into place: a lock file that exists unlocked, even for a moment,
        // is a dead owner's to whoever looks then. The lock is the file's, whatever its name.
        Path made = dir.resolve(".owner-" + ProcessHandle.current().pid() + ".new");
        FileChannel channel = FileChannel.open(made, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() == null) {
                throw new IOException(made + " is locked by another process");
            }
            try {
                Files.move(made, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(made, file);
            }
            return new WorkDirOwner(file, channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            Files.deleteIfExists(made);
            throw e;
        }
    }

    /**
     * Gives the directory up: the lock file goes, then the lock, so that the directory, deleted or kept on purpose,
     * is never taken for a dead owner's. A failure is logged, never thrown.
     */
    public void release() {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("cannot remove {}: {}; the directory may be taken for a leftover and removed", file, e.getMessage());
        }
        try {
            channel.close();
        } catch (IOException e) {
            LOG.debug("closing {}: {}", file, e.getMessage());
        }
    }

    /**
     * Removes the directories {@code resh-*} in {@code parent} whose lock file names another process and is not
     * locked: their process is gone. Only directories of the same owner as {@code ours} (this process's own work
     * directory there) are looked at, and nothing is followed through a link. Each one removed is one log line with
     * its path, its size and the pid that left it; anything that cannot be told or done is left as it is.
     */
    public static void removeLeftovers(Path parent, Path ours) {
        UserPrincipal user;
        try {
            user = Files.getOwner(ours, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e) {
            return; // whose directories are ours cannot be told here
        }
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> candidates = Files.newDirectoryStream(parent, DIRECTORY_GLOB)) {
            for (Path dir : candidates) {
                if (!dir.equals(ours) && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)
                        && user.equals(Files.getOwner(dir, LinkOption.NOFOLLOW_LINKS))) {
                    removeIfLeft(dir, self);
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot look for leftover work directories in {}: {}", parent, e.toString());
        }
    }

    private static void removeIfLeft(Path dir, long self) throws IOException {
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "owner-*.lock")) {
            for (Path lock : files) {
                Matcher m = LOCK_FILE.matcher(lock.getFileName().toString());
                if (!m.matches() || !Files.isRegularFile(lock, LinkOption.NOFOLLOW_LINKS)) {
                    continue;
                }
                long pid = Long.parseLong(m.group(1));
                if (pid == self) {
                    return; // this process's own: it runs, and opening the file would drop its lock
                }
                try (FileChannel channel = FileChannel.open(lock, StandardOpenOption.WRITE);
                     FileLock held = channel.tryLock()) {
                    if (held == null) {
                        return; // its owner runs
                    }
                    long bytes = bytesIn(dir);
                    int left = Deletion.of(dir).failures();
                    if (left == 0) {
                        LOG.info("removed work directory {} ({}) left behind by process {}, which is gone (killed with"
                                + " kill -9, or crashed)", dir, readable(bytes), pid);
                    } else {
                        LOG.warn("could not remove all of work directory {} left behind by process {}, which is gone:"
                                + " {} entries left", dir, pid, left);
                    }
                } catch (OverlappingFileLockException e) {
                    return; // locked by this very process, under a pid that is not its own: not to be touched
                } catch (IOException e) {
                    LOG.debug("cannot tell whether the owner of {} runs: {}", dir, e.getMessage());
                }
                return;
            }
        }
    }

    /** {@code 812 bytes}, {@code 3.4 KiB}, {@code 17.0 MiB}: what a reader wants of a directory's size. */
    static String readable(long bytes) {
        if (bytes < 1024) {
            return bytes == 1 ? "1 byte" : bytes + " bytes";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes / 1024.0;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    private static long bytesIn(Path dir) {
        long[] bytes = {0};
        try {
            Files.walkFileTree(dir, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    bytes[0] += attrs.size();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // the size is for the log line only
        }
        return bytes[0];
    }
}

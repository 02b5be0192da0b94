package io.resh.exec;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * Tells whether the file the replicas read as stdin changed while they ran. Each replica opens the file itself (a
 * regular file is never copied), so a file still being written (a log that grows) reached each replica as it stood
 * when that replica read it: they disagreed, and the disagreement was blamed on them.
 *
 * <p>What is compared: the size of the file the replicas opened, taken from a descriptor held open from before the
 * first replica starts, so an append shows even after the name was renamed away (log rotation); its modification
 * time, while the name still leads to it (a rewrite of the same size); and whether the name led to another file by
 * the time the last replica had opened it (replaced under them, so they may have opened different files). The change
 * time (ctime) is left out: it also moves on a rename, a chmod or a new hard link, none of which changes what a
 * replica reads, and would blame the input for a disagreement it did not cause.
 */
final class StdinWatch implements AutoCloseable {
    private static final Path OWN_STDIN = Path.of("/proc/self/fd/0");

    private final Path file;
    private final FileChannel opened;
    private final long size;
    private final FileTime modified;
    private final Object identity;
    private String replaced;

    private StdinWatch(Path file, FileChannel opened, BasicFileAttributes before) {
        this.file = file;
        this.opened = opened;
        this.size = before.size();
        this.modified = before.lastModifiedTime();
        this.identity = before.fileKey();
    }

    /**
     * Looks at {@code stdin} before the first replica opens it; null when there is nothing to watch (no stdin, or
     * a file that cannot be looked at, which the replicas' start then reports).
     */
    static StdinWatch before(Path stdin) {
        if (stdin == null) {
            return null;
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(stdin, StandardOpenOption.READ);
            return new StdinWatch(stdin, channel, Files.readAttributes(stdin, BasicFileAttributes.class));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            closeQuietly(channel);
            return null;
        }
    }

    /** Called once every replica has opened its stdin: the name must still lead to the file they started with. */
    void started() {
        Object now = identity(file);
        if (identity != null && !identity.equals(now)) {
            // The sentence goes on ", so the replicas need not have read the same input": no reason of its own here.
            replaced = now == null ? "was removed while the replicas started"
                    : "was replaced by another file while the replicas started";
        }
    }

    /**
     * What changed since {@link #before}, in one sentence naming the input ("stdin (/srv/app.log) grew from 6 to 12
     * bytes while the replicas ran"), or null if nothing did. Called after the replicas finished.
     */
    String change() {
        String what = what();
        return what == null ? null : name() + " " + what;
    }

    private String what() {
        if (replaced != null) {
            return replaced;
        }
        long sizeNow;
        try {
            sizeNow = opened.size();
        } catch (IOException e) {
            return null;
        }
        if (sizeNow != size) {
            return (sizeNow > size ? "grew" : "shrank") + " from " + size + " to " + sizeNow + " bytes while the replicas ran";
        }
        try {
            BasicFileAttributes now = Files.readAttributes(file, BasicFileAttributes.class);
            if (Objects.equals(now.fileKey(), identity) && !now.lastModifiedTime().equals(modified)) {
                return "was written while the replicas ran (modified at " + modified + ", then at "
                        + now.lastModifiedTime() + ")";
            }
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // Renamed away or removed since: its size above is all that can still be seen of it.
        }
        return null;
    }

    /**
     * The input as the user knows it: {@code stdin (/srv/app.log)} for a file the shell redirected ({@code <
     * app.log}), which resh hands on as its own descriptor 0; else {@code --stdin FILE}.
     */
    private String name() {
        return OWN_STDIN.equals(file) ? "stdin (" + path() + ")" : "--stdin " + file;
    }

    /** The file's own name: for resh's descriptor 0, the file it holds. */
    private String path() {
        if (!OWN_STDIN.equals(file)) {
            return file.toString();
        }
        try {
            return Files.readSymbolicLink(file).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return file.toString();
        }
    }

    private static Object identity(Path file) {
        try {
            return Files.readAttributes(file, BasicFileAttributes.class).fileKey();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return null;
        }
    }

    @Override
    public void close() {
        closeQuietly(opened);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException e) {
            // Only read from: nothing is lost.
        }
    }
}

package io.resh.host;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names a replica's shared body file so that a file left behind can be told apart from one in use, and removes
 * those left behind.
 *
 * <p>A file's name is deleted once its replica said hello, so a name stays only when the host was killed between
 * creating the file and that hello (kill -9, the OOM killer). Such a file holds two rings, megabytes of tmpfs
 * memory each, until someone deletes it. The name carries the creating host's pid; before a host creates a file
 * it deletes the files in that directory of hosts that no longer run (a directory listing, on the thread that
 * is about to fork a JVM). A file whose host runs, or whose name has
 * no pid (written by a resh before this name), is left alone. A pid reused by another process only keeps a file
 * longer; a file deleted while its replica was about to map it (a host in another pid namespace sharing the
 * directory) sends that replica's large bodies through its pipes, which is the replica's fallback anyway.
 */
final class SharedBodyFile {
    private static final Logger LOG = LoggerFactory.getLogger(SharedBodyFile.class);
    static final String PREFIX = ".resh-bodies-";
    /** {@code .resh-bodies-<group>-<slot>.<incarnation>.h<pid>-<random>}: the random part is createTempFile's. */
    private static final Pattern HOST_PID = Pattern.compile("^\\.resh-bodies-.*\\.h(\\d{1,19})-\\d+$");

    private SharedBodyFile() {
    }

    /** The prefix for {@link Files#createTempFile}: whose file it is, and which host created it. */
    static String prefix(String group, int slot, int incarnation) {
        return PREFIX + group + "-" + slot + "." + incarnation + ".h" + ProcessHandle.current().pid() + "-";
    }

    /** Deletes the files in {@code dir} left by hosts that no longer run; returns how many. Never throws. */
    static int sweep(Path dir) {
        int deleted = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, PREFIX + "*")) {
            for (Path file : files) {
                if (leftBehind(file.getFileName().toString())) {
                    try {
                        if (Files.deleteIfExists(file)) {
                            deleted++;
                        }
                    } catch (IOException e) {
                        LOG.debug("cannot delete {}, left by a host that no longer runs: {}", file, e.toString());
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot look for shared body files left behind in {}: {}", dir, e.toString());
        }
        if (deleted > 0) {
            LOG.info("deleted {} shared body file(s) in {} left by a resh host that was killed", deleted, dir);
        }
        return deleted;
    }

    /** Whether the file's name says a host created it that no longer runs. */
    static boolean leftBehind(String name) {
        Matcher m = HOST_PID.matcher(name);
        if (!m.matches()) {
            return false;
        }
        long pid;
        try {
            pid = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            return false;
        }
        return pid != ProcessHandle.current().pid() && ProcessHandle.of(pid).isEmpty();
    }
}

package io.resh.host;

import io.resh.core.ConfigException;
import io.resh.core.config.GroupConfig;
import io.resh.workdir.Deletion;
import io.resh.workdir.WorkDirOwner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's work directory: {@code replica-N.log} and each replica's own {@code replica-N/} (its working
 * directory, where restored snapshots land). One the group created itself is temporary: it goes when the
 * group closes after a life without faults, so that test runs and benchmarks do not fill the temporary
 * file system with logs and snapshot files. After a fault it stays, for the post-mortem; with {@code
 * keepWorkDir} it always stays. A configured directory belongs to the user and is never deleted.
 *
 * <p>A temporary directory that goes when the group closes is locked by its {@link WorkDirOwner} meanwhile: when the
 * process is killed with SIGKILL, the next group made here finds it unlocked and removes it.
 */
final class WorkDirectory {
    private static final Logger LOG = LoggerFactory.getLogger(WorkDirectory.class);

    private final String group;
    private final Path path;
    private final boolean temporary;
    private final boolean keep;
    /** Locks a temporary directory to be deleted at close, so that it is known for a leftover once its process is gone; else null. */
    private final WorkDirOwner owner;

    private WorkDirectory(String group, Path path, boolean temporary, boolean keep, WorkDirOwner owner) {
        this.group = group;
        this.path = path;
        this.temporary = temporary;
        this.keep = keep;
        this.owner = owner;
    }

    /**
     * The configured directory (created if missing), or a fresh temporary one.
     *
     * @throws ConfigException naming {@code workDir} if the configured directory cannot be created
     */
    static WorkDirectory create(GroupConfig config) {
        if (config.workDir() != null) {
            try {
                return new WorkDirectory(config.name(), Files.createDirectories(Path.of(config.workDir())), false, true, null);
            } catch (IOException e) {
                // The user's field, so the user's to fix: said as a config error, which gets the file named too.
                throw ConfigException.cannotCreateWorkDir("workDir", config.workDir(), e);
            }
        }
        Path dir;
        try {
            dir = Files.createTempDirectory("resh-" + config.name() + "-");
        } catch (IOException e) {
            // Without workDir the directory goes under java.io.tmpdir, which the message must name: the JDK's own
            // error names only the directory it tried, and the user never wrote that path.
            throw new ConfigException("workDir", "none given, and no temporary one can be made in "
                    + System.getProperty("java.io.tmpdir") + " (java.io.tmpdir): " + io.resh.core.FileErrors.describe(e)
                    + "; set workDir, or -Djava.io.tmpdir to a directory resh can write", e);
        }
        WorkDirOwner owner = null;
        if (!config.keepWorkDir()) { // one kept whatever happens is never a leftover to remove
            try {
                owner = WorkDirOwner.claim(dir);
            } catch (IOException e) {
                // The group runs all the same; only a SIGKILL would leave this directory behind for good.
                LOG.debug("group {}: cannot lock work directory {}: {}", config.name(), dir, e.getMessage());
            }
        }
        // Those of groups whose process was killed (SIGKILL) or crashed: nothing else ever removes them.
        WorkDirOwner.removeLeftovers(dir.getParent(), dir);
        return new WorkDirectory(config.name(), dir, true, config.keepWorkDir(), owner);
    }

    Path path() {
        return path;
    }

    /** Why the directory stays whatever happened to the group, or null if a clean close deletes it. */
    String keptAnyway() {
        if (!temporary) {
            return "(the configured workDir is never deleted)";
        }
        return keep ? "(keepWorkDir: true)" : null;
    }

    /** Leaves the directory where it is and says so, with why, in one line. */
    void keep(String why) {
        if (owner != null) {
            owner.release(); // kept on purpose now, for the post-mortem: not a leftover to remove
        }
        if (temporary) {
            LOG.info("group {}: kept work directory {} {}", group, path, why);
        } else {
            LOG.debug("group {}: kept work directory {} {}", group, path, why); // the user chose it: no news
        }
    }

    /**
     * Deletes the directory and everything in it, without following links. Call it only once nothing can
     * write there any more. A failure is logged in one line, never thrown: a leftover directory is not
     * worth failing a close for.
     */
    void delete() {
        if (!temporary) {
            throw new IllegalStateException("group " + group + ": " + path + " is a configured work directory");
        }
        Deletion deletion = Deletion.of(path);
        if (deletion.failures() > 0) {
            LOG.warn("group {}: could not delete work directory {}: {} entr{} left, first {}", group, path,
                    deletion.failures(), deletion.failures() == 1 ? "y" : "ies", deletion.first());
        }
        if (owner != null) {
            owner.release(); // after the deletion: a lock released first let another process take what is left
        }
    }
}

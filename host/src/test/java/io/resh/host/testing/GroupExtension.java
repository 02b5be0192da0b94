package io.resh.host.testing;

import io.resh.core.GroupEvent;
import io.resh.core.config.GroupConfig;
import io.resh.host.ReplicaGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Real replica groups for an end-to-end test, and the directory they work in. Every such test needs the
 * same things, and a group left running keeps its replica processes for the rest of the run, so they live
 * here once:
 * <ul>
 * <li>a directory of the test's own ({@link #dir()}) to give the groups as their work directory; it is
 *     deleted after a test that passed and kept (its path printed) after one that failed, for the replica
 *     logs, as {@code @TempDir(cleanup = ON_SUCCESS)} does;
 * <li>groups started through {@link #start(GroupConfig)}, every one of them tracked;
 * <li>when a test fails, every replica log of those groups printed, right after the test method and before
 *     anything is closed (see {@link ReplicaLogsOnFailure});
 * <li>after the test, passed or failed: every group closed, which kills its replicas, then the directory
 *     deleted or kept.
 * </ul>
 * Register it in an instance field with {@code @RegisterExtension}: it closes what a test started, so it
 * can't hold a group for a whole class.
 */
public final class GroupExtension implements BeforeAllCallback, AfterTestExecutionCallback, AfterEachCallback {
    private ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();
    private final List<ReplicaGroup> groups = new ArrayList<>();
    private boolean failed;
    private Path dir;

    /** The test's own directory: pass it to {@link TestGroups} as the work directory of its groups. */
    public Path dir() {
        if (dir == null) {
            try {
                dir = Files.createTempDirectory("resh-host-test-");
            } catch (IOException e) {
                throw new IllegalStateException("cannot create a test directory: " + e.getMessage(), e);
            }
        }
        return dir;
    }

    /** Starts a group, closed after the test. */
    public ReplicaGroup start(GroupConfig config) {
        return start(config, List.of());
    }

    /** Starts a group with event listeners, closed after the test. */
    public ReplicaGroup start(GroupConfig config, List<Consumer<GroupEvent>> listeners) {
        ReplicaGroup group = ReplicaGroup.start(config, listeners);
        groups.add(group);
        return logs.watch(group);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        throw new IllegalStateException("register the GroupExtension in an instance field: it closes its groups after each test");
    }

    /** Runs right after the test method: before {@code @AfterEach} and this extension close any group. */
    @Override
    public void afterTestExecution(ExtensionContext context) {
        failed |= context.getExecutionException().isPresent();
        logs.afterTestExecution(context);
    }

    @Override
    public void afterEach(ExtensionContext context) throws IOException {
        boolean keep = failed || context.getExecutionException().isPresent();
        Path leftDir = dir;
        List<ReplicaGroup> closing = List.copyOf(groups);
        groups.clear();
        logs = new ReplicaLogsOnFailure(); // a class with one instance for all its tests must not print closed groups
        dir = null;
        failed = false;
        RuntimeException closeFailure = null;
        for (ReplicaGroup g : closing) {
            try {
                g.close();
            } catch (RuntimeException e) {
                if (closeFailure == null) {
                    closeFailure = e;
                } else {
                    closeFailure.addSuppressed(e);
                }
            }
        }
        keep |= closeFailure != null;
        if (leftDir != null && keep) {
            System.out.println("kept the directory of a failed test: " + leftDir);
        } else if (leftDir != null) {
            delete(leftDir);
        }
        if (closeFailure != null) {
            throw closeFailure;
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}

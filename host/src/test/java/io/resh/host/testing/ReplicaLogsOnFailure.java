package io.resh.host.testing;

import io.resh.host.ReplicaGroup;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterTestExecutionCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Prints the replica logs of groups a test registered when the test fails: the replica side of a
 * failure is usually the interesting half. It prints right after the test method, before
 * {@code @AfterEach} closes the group: a group that saw no fault deletes its temporary work directory,
 * logs included, when it closes. A test whose groups live for one test method registers
 * {@link GroupExtension} instead, which starts and closes them and prints through this.
 */
public final class ReplicaLogsOnFailure implements AfterTestExecutionCallback {
    private final List<ReplicaGroup> groups = new ArrayList<>();

    public ReplicaGroup watch(ReplicaGroup group) {
        groups.add(group);
        return group;
    }

    @Override
    public void afterTestExecution(ExtensionContext context) {
        if (context.getExecutionException().isEmpty()) {
            return;
        }
        for (ReplicaGroup g : groups) {
            for (int i = 0; i < g.config().replicas(); i++) {
                Path log = g.replicaLog(i);
                try {
                    System.err.println("---- " + g.config().name() + " replica " + i + " (" + log + ") ----");
                    System.err.println(Files.exists(log) ? Files.readString(log) : "(no log)");
                } catch (Exception e) {
                    System.err.println("(cannot read " + log + ": " + e + ")");
                }
            }
        }
    }
}

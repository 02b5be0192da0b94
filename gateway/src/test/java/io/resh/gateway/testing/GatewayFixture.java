package io.resh.gateway.testing;

import io.resh.core.GroupEvent;
import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Starts a gateway from YAML for a test, records its events, and on {@link #close()} dumps every
 * replica's log if the test failed, then kills everything. Use one per test, closed in @AfterEach.
 */
public final class GatewayFixture implements AutoCloseable {
    private final Gateway gateway;
    private final List<GroupEvent> events = new CopyOnWriteArrayList<>();
    private final Path workDir;

    public GatewayFixture(String yaml, Path workDir) {
        this.workDir = workDir;
        GatewayConfig config = GatewayConfig.parse(yaml, "test.yaml").withWorkDir(workDir);
        this.gateway = startWithOneRetry(config);
        gateway.addListener(events::add);
    }

    /**
     * On a heavily loaded machine a replica server occasionally refuses its first backend connection
     * while the group starts (seen once in many runs, cause not yet understood). The tests are about
     * what happens after a start, so they retry a failed start once; the start failure itself is
     * covered by GatewayStartTest.
     */
    private static Gateway startWithOneRetry(GatewayConfig config) {
        try {
            return Gateway.start(config);
        } catch (io.resh.core.ReshException first) {
            System.err.println("gateway fixture: first start failed, retrying once: " + first.getMessage());
            return Gateway.start(config);
        }
    }

    public Gateway gateway() {
        return gateway;
    }

    public int port() {
        return gateway.port();
    }

    public GatewayStatus status() {
        return gateway.status();
    }

    public List<GroupEvent> events() {
        return events;
    }

    public <T extends GroupEvent> List<T> events(Class<T> type) {
        return events.stream().filter(type::isInstance).map(type::cast).toList();
    }

    /** Waits (bounded) for the first event of a type that matches, and returns it. */
    public <T extends GroupEvent> T awaitEvent(Class<T> type, java.util.function.Predicate<T> matching) {
        return org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> events(type).stream().filter(matching).findFirst().orElse(null), java.util.Objects::nonNull);
    }

    /** Waits (bounded) until replica {@code replica} recovered and every replica votes again. */
    public GroupEvent.RecoveryCompleted awaitRecovered(int replica) {
        GroupEvent.RecoveryCompleted r = awaitEvent(GroupEvent.RecoveryCompleted.class, e -> e.replica() == replica);
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20))
                .until(() -> status().liveReplicas() == status().replicas().size());
        return r;
    }

    /** Waits (bounded) until every replica has answered every request sent so far. */
    public void awaitQuiet() {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(20)).until(() -> status().inFlight() == 0);
    }

    public long pid(int replica) {
        return status().replicas().get(replica).pid();
    }

    public int replicaPort(int replica) {
        return status().replicas().get(replica).port();
    }

    /** Every replica's log, for a failed test's output. */
    public String logs() {
        StringBuilder sb = new StringBuilder();
        try (var files = Files.list(workDir.resolve("logs"))) {
            for (Path p : files.sorted().toList()) {
                sb.append("----- ").append(p.getFileName()).append('\n').append(Files.readString(p)).append('\n');
            }
        } catch (IOException e) {
            sb.append("(no logs: ").append(e.getMessage()).append(")");
        }
        sb.append("----- events\n");
        events.forEach(e -> sb.append(e).append('\n'));
        return sb.toString();
    }

    public void close(boolean dumpLogs) {
        if (dumpLogs) {
            System.out.println(logs());
        }
        gateway.close();
    }

    @Override
    public void close() {
        gateway.close();
    }
}

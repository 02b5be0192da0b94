package io.resh.cluster;

import static org.awaitility.Awaitility.await;

import io.resh.host.testing.TestGroups;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** N cluster hosts as separate JVMs on loopback, each with its own storage and a local group of 3. */
final class ProcessCluster implements AutoCloseable {
    /** Host logs outlive the test's temporary directory, for reading after a failure. */
    static final Path LOGS = Path.of("target", "cluster-logs", Long.toString(System.currentTimeMillis()));
    private final Path dir;
    private final List<ClusterPeer> peers;
    private final Map<String, HostProcess> hosts = new LinkedHashMap<>();
    private final String service;
    private final long snapshotEvery;
    private final Duration requestTimeout;
    private Duration electionMin = Duration.ofMillis(400);
    private Duration electionMax = Duration.ofMillis(800);

    ProcessCluster(Path dir, int n, String service, long snapshotEvery) {
        this(dir, n, service, snapshotEvery, Duration.ofSeconds(8));
    }

    /** @param requestTimeout each host's {@code cluster.requestTimeout}: short for tests that wait it out */
    ProcessCluster(Path dir, int n, String service, long snapshotEvery, Duration requestTimeout) {
        this.dir = dir;
        this.peers = Loopback.peers(n);
        this.service = service;
        this.snapshotEvery = snapshotEvery;
        this.requestTimeout = requestTimeout;
    }

    /**
     * Election timeouts for hosts started after this call: longer for a test that must act on a leader before the
     * others replace it, on a machine loaded enough to take the short default.
     */
    ProcessCluster election(Duration min, Duration max) {
        this.electionMin = min;
        this.electionMax = max;
        return this;
    }

    List<ClusterPeer> peers() {
        return peers;
    }

    Path config(String id) {
        Path file = dir.resolve(id + ".yaml");
        String jvm = TestGroups.FAST_JVM.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(", "));
        StringBuilder y = new StringBuilder();
        y.append("group: test\nreplicas: 3\n");
        y.append("service: {class: ").append(service).append(", jvmArgs: [").append(jvm).append("]}\n");
        y.append("checkpoint: {every: 100}\ndeadline: 1500ms\nheartbeat: {interval: 100ms, timeout: 1s}\n");
        y.append("startTimeout: 20s\nseed: 42\n");
        // the test's directory, not a temporary one that a host kept after the faults the test injects
        y.append("workDir: ").append(dir.resolve("work-" + id)).append('\n');
        y.append("cluster:\n  id: ").append(id).append("\n  storage: ").append(dir.resolve("storage-" + id)).append('\n');
        y.append("  election: {min: ").append(electionMin.toMillis()).append("ms, max: ").append(electionMax.toMillis())
                .append("ms}\n  snapshotEvery: ").append(snapshotEvery).append('\n');
        y.append("  requestTimeout: ").append(requestTimeout.toMillis()).append("ms\n  logSegmentBytes: 65536\n  peers:\n");
        for (ClusterPeer p : peers) {
            y.append("    - {id: ").append(p.id()).append(", address: \"").append(p.raftAddress())
                    .append("\", client: \"").append(p.clientAddress()).append("\"}\n");
        }
        try {
            Files.writeString(file, y.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    /** Starts every host and waits until each listens and one leads. */
    void startAll() {
        List<HostProcess> started = new ArrayList<>();
        for (ClusterPeer p : peers) {
            started.add(launch(p.id()));
        }
        started.forEach(h -> h.awaitReady(Duration.ofSeconds(60)));
        awaitLeader();
    }

    HostProcess launch(String id) {
        HostProcess h = HostProcess.start(config(id), id, LOGS, false);
        HostProcess old = hosts.put(id, h);
        if (old != null) {
            old.close();
        }
        return h;
    }

    HostProcess host(String id) {
        return hosts.get(id);
    }

    List<HostProcess> alive() {
        return hosts.values().stream().filter(HostProcess::alive).toList();
    }

    /** Waits until every live host names the same live leader; returns its id. */
    String awaitLeader() {
        String[] leader = new String[1];
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).ignoreExceptions().until(() -> {
            List<String> seen = alive().stream().map(h -> h.status().get("leader").asText()).distinct().toList();
            if (seen.size() == 1 && !seen.get(0).isEmpty() && hosts.get(seen.get(0)).alive()
                    && hosts.get(seen.get(0)).status().get("role").asText().equals("LEADER")) {
                leader[0] = seen.get(0);
                return true;
            }
            return false;
        });
        return leader[0];
    }

    /** Dumps the tail of every host's log, for a failing test. */
    String logs() {
        StringBuilder b = new StringBuilder();
        hosts.forEach((id, h) -> b.append("==== ").append(id).append('\n').append(h.tail()).append('\n'));
        return b.toString();
    }

    @Override
    public void close() {
        hosts.values().forEach(HostProcess::close);
    }
}

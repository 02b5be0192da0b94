package io.resh.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The {@code cluster:} section of a service config: which host this is, who its peers are, where the
 * Raft log lives, and Raft timings. Validated once; every error names the field.
 *
 * <pre>
 * cluster:
 *   id: h1                       # this host (overridable on the command line)
 *   storage: /var/lib/resh/h1    # Raft log + snapshots; the durable state of this host ({id} = this host's id)
 *   peers:
 *     - {id: h1, address: 10.0.0.1:7501, client: 10.0.0.1:7401}
 *     - {id: h2, address: 10.0.0.2:7501, client: 10.0.0.2:7401}
 *     - {id: h3, address: 10.0.0.3:7501, client: 10.0.0.3:7401}
 *   election: {min: 1s, max: 2s} # optional, Raft leader election timeout range
 *   snapshotEvery: 10000         # optional, log entries between snapshots (local stable checkpoints)
 *   requestTimeout: 10s          # optional, how long the front door waits for a committed reply (and a
 *                                # membership change is tried, at most 20s)
 *   logSegmentBytes: 8388608     # optional, size of one Raft log segment file
 * </pre>
 *
 * @param id this host's peer id; must be one of {@code peers}, unless it joins later via addPeer
 * @param peers the initial members; with one peer the host is a durable single RESH host
 * @param storage directory of the Raft log and the snapshots
 * @param name cluster name (the Raft group id is derived from it); defaults to the group name
 * @param electionMin lower bound of the election timeout
 * @param electionMax upper bound of the election timeout
 * @param snapshotEvery Raft log entries between snapshots; the log before a snapshot is purged
 * @param requestTimeout how long the front door waits for a request to be committed and applied; also how long
 *     a membership change or leadership transfer is tried, at most {@link ClusterNode#CHANGE_TIMEOUT_MAX}
 * @param logSegmentBytes size of one Raft log segment file; the log behind a snapshot is deleted a closed
 *     segment at a time, so smaller segments free disk (and force snapshot installs) sooner
 */
public record ClusterConfig(String id, List<ClusterPeer> peers, Path storage, String name, Duration electionMin,
                            Duration electionMax, long snapshotEvery, Duration requestTimeout, long logSegmentBytes) {
    /** Default size of one Raft log segment file; the log is purged a whole closed segment at a time. */
    public static final long DEFAULT_SEGMENT_BYTES = 8L << 20;

    public ClusterConfig {
        peers = List.copyOf(peers);
        Set<String> ids = new HashSet<>();
        for (ClusterPeer p : peers) {
            if (!ids.add(p.id())) {
                throw new ConfigException("cluster.peers", "peer id '" + p.id() + "' appears twice");
            }
        }
        if (peers.isEmpty()) {
            throw new ConfigException("cluster.peers", "expected at least one peer");
        }
        // Two hosts on one address would fight over the port; Ratis would only fail its elections.
        Map<String, String> used = new HashMap<>();
        for (ClusterPeer p : peers) {
            for (String[] a : List.of(new String[] {"address", p.raftAddress()}, new String[] {"client", p.clientAddress()})) {
                String mine = p.id() + "'s " + a[0];
                String other = used.putIfAbsent(a[1], mine);
                if (other != null) {
                    throw new ConfigException("cluster.peers", mine + " " + a[1] + " is also " + other
                            + "; every host needs an address and a client address of its own");
                }
            }
        }
        // Zero was accepted: a requestTimeout of 0s failed every request at once ("not committed within 0 ms").
        ConfigException.requirePositive("cluster.requestTimeout", requestTimeout);
        ConfigException.requirePositive("cluster.election.min", electionMin);
        if (electionMax.compareTo(electionMin) <= 0) {
            throw new ConfigException("cluster.election.max", "must be greater than election.min ("
                    + Durations.format(electionMin) + "), got " + Durations.format(electionMax));
        }
        if (logSegmentBytes < 1024) {
            throw new ConfigException("cluster.logSegmentBytes", "expected at least 1024 bytes, got " + logSegmentBytes);
        }
        if (snapshotEvery < 1) {
            throw new ConfigException("cluster.snapshotEvery", "expected a positive number of log entries, got "
                    + snapshotEvery);
        }
    }

    /** This host's peer entry. */
    public ClusterPeer self() {
        return peers.stream().filter(p -> p.id().equals(id)).findFirst().orElseThrow(() -> new ConfigException(
                "cluster.id", "'" + id + "' is not one of the peers " + peers.stream().map(ClusterPeer::id).toList()));
    }

    /** The same cluster seen from another host. */
    public ClusterConfig withId(String otherId) {
        return new ClusterConfig(otherId, peers, storage, name, electionMin, electionMax, snapshotEvery, requestTimeout,
                logSegmentBytes);
    }

    /** The same cluster with another storage directory. */
    public ClusterConfig withStorage(Path dir) {
        return new ClusterConfig(id, peers, dir, name, electionMin, electionMax, snapshotEvery, requestTimeout,
                logSegmentBytes);
    }

    /** The same cluster with other peers (a host that joins an existing cluster). */
    public ClusterConfig withPeers(List<ClusterPeer> others) {
        return new ClusterConfig(id, others, storage, name, electionMin, electionMax, snapshotEvery, requestTimeout,
                logSegmentBytes);
    }

    /** True when {@code root} (a whole service config) has a {@code cluster:} section. */
    public static boolean present(JsonNode root) {
        return root.has("cluster") && !root.get("cluster").isNull();
    }

    /** A copy of {@code root} without the {@code cluster:} section, for {@code io.resh.host.ConfigFile.parse}. */
    public static JsonNode withoutCluster(JsonNode root) {
        ObjectNode copy = ((ObjectNode) root).deepCopy();
        copy.remove("cluster");
        return copy;
    }

    /**
     * Parses the {@code cluster:} section of {@code root}.
     *
     * @param idOverride this host's id from the command line, or null to use {@code cluster.id}
     */
    public static ClusterConfig parse(JsonNode root, String idOverride) {
        JsonNode c = root.get("cluster");
        if (c == null || !c.isObject()) {
            throw new ConfigException("cluster", "expected a mapping with id, storage and peers");
        }
        only(c, "cluster.", "id", "storage", "peers", "name", "election", "snapshotEvery", "requestTimeout",
                "logSegmentBytes");
        String id = idOverride != null ? idOverride : text(c, "cluster.", "id", null);
        if (id == null) {
            throw new ConfigException("cluster.id", "missing: which peer is this host (or pass --id)");
        }
        String storage = text(c, "cluster.", "storage", null);
        if (storage == null) {
            throw new ConfigException("cluster.storage", "missing: a directory for the Raft log and snapshots");
        }
        // {id} lets several hosts on one machine share a config file, each with its own log.
        storage = storage.replace("{id}", id);
        JsonNode ps = c.get("peers");
        if (ps == null || !ps.isArray() || ps.isEmpty()) {
            throw new ConfigException("cluster.peers", "expected a non-empty list of {id, address, client}");
        }
        List<ClusterPeer> peers = new ArrayList<>();
        for (int i = 0; i < ps.size(); i++) {
            String prefix = "cluster.peers[" + i + "].";
            JsonNode p = ps.get(i);
            if (!p.isObject()) {
                throw new ConfigException("cluster.peers[" + i + "]", "expected a mapping {id, address, client}");
            }
            only(p, prefix, "id", "address", "client");
            String pid = text(p, prefix, "id", null);
            if (pid == null) {
                throw new ConfigException(prefix + "id", "missing");
            }
            try {
                peers.add(new ClusterPeer(pid, address(p, prefix, "address"), address(p, prefix, "client")));
            } catch (IllegalArgumentException e) {
                throw new ConfigException(prefix + "id", e.getMessage());
            }
        }
        String group = root.has("group") ? root.get("group").asText() : "resh";
        String name = text(c, "cluster.", "name", group);
        Duration min = Duration.ofSeconds(1);
        Duration max = Duration.ofSeconds(2);
        JsonNode e = c.get("election");
        if (e != null) {
            only(e, "cluster.election.", "min", "max");
            min = Durations.parse("cluster.election.min", text(e, "cluster.election.", "min", "1s"));
            max = Durations.parse("cluster.election.max", text(e, "cluster.election.", "max", "2s"));
        }
        long every = 10_000;
        JsonNode se = c.get("snapshotEvery");
        if (se != null) {
            if (!se.isIntegralNumber()) {
                throw new ConfigException("cluster.snapshotEvery", "expected a whole number, got " + se);
            }
            if (!se.canConvertToLong()) { // asLong() would wrap it around into some other number
                throw new ConfigException("cluster.snapshotEvery", "expected a whole number of at most "
                        + Long.MAX_VALUE + ", got " + se);
            }
            every = se.asLong();
        }
        Duration timeout = Durations.parse("cluster.requestTimeout", text(c, "cluster.", "requestTimeout", "10s"));
        long segment = DEFAULT_SEGMENT_BYTES;
        JsonNode sb = c.get("logSegmentBytes");
        if (sb != null) {
            if (!sb.isIntegralNumber()) {
                throw new ConfigException("cluster.logSegmentBytes", "expected a whole number of bytes, got " + sb);
            }
            if (!sb.canConvertToLong()) {
                throw new ConfigException("cluster.logSegmentBytes", "expected a whole number of at most "
                        + Long.MAX_VALUE + " bytes, got " + sb);
            }
            segment = sb.asLong();
        }
        ClusterConfig config = new ClusterConfig(id, peers, Path.of(storage), name, min, max, every, timeout, segment);
        config.self();
        return config;
    }

    private static InetSocketAddress address(JsonNode node, String prefix, String field) {
        String t = text(node, prefix, field, null);
        if (t == null) {
            throw new ConfigException(prefix + field, "missing: expected host:port");
        }
        int colon = t.lastIndexOf(':');
        if (colon <= 0) {
            throw new ConfigException(prefix + field, "expected host:port, got '" + t + "'");
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException ex) {
            throw new ConfigException(prefix + field, "port is not a number in '" + t + "'");
        }
        if (port < 1 || port > 65535) {
            throw new ConfigException(prefix + field, "port out of range 1-65535 in '" + t + "'");
        }
        return InetSocketAddress.createUnresolved(t.substring(0, colon), port);
    }

    private static String text(JsonNode node, String prefix, String field, String def) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            return def;
        }
        if (!v.isValueNode()) {
            throw new ConfigException(prefix + field, "expected a string, got a " + (v.isArray() ? "list" : "mapping"));
        }
        return v.asText();
    }

    private static void only(JsonNode node, String prefix, String... known) {
        Set<String> allowed = Set.of(known);
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String n = names.next();
            if (!allowed.contains(n)) {
                throw new ConfigException(prefix + n, "unknown field; known fields here: " + new TreeSet<>(allowed));
            }
        }
    }
}

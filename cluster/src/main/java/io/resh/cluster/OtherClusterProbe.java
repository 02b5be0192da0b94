package io.resh.cluster;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks members that do not take part in this cluster which Raft groups their servers run, and says so in one
 * line when one runs another cluster's group instead of this one's.
 *
 * <p>Why: the Raft group id is derived from the cluster's name, so a host whose config names another cluster
 * (its {@code cluster.name} or {@code group:} edited on one host only) answers every vote and append with a
 * group mismatch. Ratis logs that below the shipped log level, and the hosts only ever showed "no leader" or "does
 * not answer the leader", with nothing pointing at the config.
 */
final class OtherClusterProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OtherClusterProbe.class);

    private final RaftProperties properties;
    private final RaftGroupId groupId;
    private final String self;
    private final String clusterName;
    /** Hosts already reported, by id: one line each, not one per probe. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean probing = new AtomicBoolean();
    /**
     * A member that is down stays silent for as long as it is down: ask again only this long after the last probe
     * began, rather than open a Raft client to it every time the leader's watch looks.
     */
    static final long PROBE_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);
    private volatile long lastProbe = System.nanoTime() - PROBE_EVERY_NANOS;
    /** Its own thread: an RPC to a paused host waits out Ratis's RPC timeout, which must hold up nothing else. */
    private final ExecutorService asking = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "resh-cluster-probe");
        t.setDaemon(true);
        return t;
    });

    OtherClusterProbe(RaftProperties properties, RaftGroupId groupId, String self, String clusterName) {
        this.properties = properties;
        this.groupId = groupId;
        this.self = self;
        this.clusterName = clusterName;
    }

    /** Asks {@code peers} in the background, unless the last probe is still running; returns at once. */
    void check(Collection<RaftPeer> peers) {
        List<RaftPeer> others = peers.stream().filter(p -> !p.getId().toString().equals(self))
                .filter(p -> !reported.contains(p.getId().toString())).toList();
        if (others.isEmpty() || System.nanoTime() - lastProbe < PROBE_EVERY_NANOS
                || !probing.compareAndSet(false, true)) {
            return;
        }
        lastProbe = System.nanoTime();
        try {
            asking.execute(() -> {
                try {
                    others.forEach(p -> ask(others, p));
                } finally {
                    probing.set(false);
                }
            });
        } catch (RejectedExecutionException closed) {
            probing.set(false);
        }
    }

    private void ask(List<RaftPeer> peers, RaftPeer peer) {
        List<RaftGroupId> groups;
        try (RaftClient client = RaftClient.newBuilder().setProperties(properties)
                .setRaftGroup(RaftGroup.valueOf(groupId, peers)).setRetryPolicy(RetryPolicies.noRetry()).build()) {
            groups = client.getGroupManagementApi(peer.getId()).list().getGroupIds();
        } catch (IOException | RuntimeException e) {
            LOG.debug("cannot ask {} for its Raft groups: {}", peer.getId(), e.toString());
            return; // not running or not reachable: the leader's watch or the missing leader says enough
        }
        // No group at all is a server still starting, or one being stopped: no evidence of another cluster.
        if (groups.isEmpty() || groups.contains(groupId) || !reported.add(peer.getId().toString())) {
            return;
        }
        LOG.warn("host {} at {} answers, but runs no Raft group of this cluster '{}' ({}), only {}: its config names"
                        + " another cluster (cluster.name, or group: when there is no cluster.name), so it takes no part"
                        + " in this one; give every host of a cluster the same name",
                peer.getId(), peer.getAddress(), clusterName, groupId, groups);
    }

    @Override
    public void close() {
        asking.shutdownNow();
    }
}

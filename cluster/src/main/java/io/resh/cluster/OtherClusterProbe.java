package io.resh.cluster;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.protocol.GroupInfoReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.retry.RetryPolicies;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks members that do not take part in this cluster which Raft groups their servers run, and says so in one
 * line when one runs another cluster's group instead of this one's; and, where one runs this cluster's group,
 * whether its configuration puts a member at another address than this host's config does.
 *
 * <p>Why: the Raft group id is derived from the cluster's name, so a host whose config names another cluster
 * (its {@code cluster.name} or {@code group:} edited on one host only) answers every vote and append with a
 * group mismatch. Ratis logs that below the shipped log level, and the hosts only ever showed "no leader" or "does
 * not answer the leader", with nothing pointing at the config. Likewise a host whose config gives itself another
 * address than the others' configs do listens where no one sends: it stays without a leader, and the leader only
 * sees it silent.
 */
final class OtherClusterProbe implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OtherClusterProbe.class);

    private final RaftProperties properties;
    private final RaftGroupId groupId;
    private final String self;
    private final String clusterName;
    /** Each member's Raft address as this host's config gives it, by id. */
    private final Map<String, String> configured;
    /** Members whose address was already reported as differing: one line each. */
    private final Set<String> misplaced = ConcurrentHashMap.newKeySet();
    /** Hosts already reported, by id: one line each, not one per probe. */
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    /** Hosts reported as having nothing listening at their address, until they answer again. */
    private final Set<String> refused = ConcurrentHashMap.newKeySet();
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

    /** @param configured each member's Raft address ({@code host:port}) as this host's config gives it, by id */
    OtherClusterProbe(RaftProperties properties, RaftGroupId groupId, String self, String clusterName,
                      Map<String, String> configured) {
        this.properties = properties;
        this.groupId = groupId;
        this.self = self;
        this.clusterName = clusterName;
        this.configured = Map.copyOf(configured);
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
            if (groups.contains(groupId)) {
                compareAddresses(peer, client.getGroupManagementApi(peer.getId()).info(groupId));
            }
        } catch (IOException | RuntimeException e) {
            if (connectionRefused(e) && refused.add(peer.getId().toString())) {
                // A refused connection is news beside "silent": nothing runs there, which a paused or cut-off host
                // would not show; and with the host's own log saying it is up, the address is what is wrong.
                LOG.warn("nothing listens at {} for host {} (connection refused): it is not running, or its config"
                        + " gives it another address than this cluster's Raft configuration does (cluster.peers differ"
                        + " between the hosts)", peer.getAddress(), peer.getId());
            } else {
                LOG.debug("cannot ask {} for its Raft groups: {}", peer.getId(), e.toString());
            }
            return; // not running or not reachable: the leader's watch or the missing leader says the rest
        }
        refused.remove(peer.getId().toString());
        // No group at all is a server still starting, or one being stopped: no evidence of another cluster.
        if (groups.isEmpty() || groups.contains(groupId) || !reported.add(peer.getId().toString())) {
            return;
        }
        LOG.warn("host {} at {} answers, but runs no Raft group of this cluster '{}' ({}), only {}: its config names"
                        + " another cluster (cluster.name, or group: when there is no cluster.name), so it takes no part"
                        + " in this one; give every host of a cluster the same name",
                peer.getId(), peer.getAddress(), clusterName, groupId, groups);
    }

    /** Host {@code id} answers again: should nothing listen at its address later, say so again. */
    void answers(String id) {
        refused.remove(id);
    }

    /** This host knows a leader again after a time without: a later refusal of any member is news again. */
    void forgetRefusals() {
        refused.clear();
    }

    /** True if {@code e} comes from a connection the peer's machine refused (gRPC wraps it a few levels down). */
    static boolean connectionRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof java.net.ConnectException || (t.getMessage() != null
                    && t.getMessage().contains("Connection refused"))) {
                return true;
            }
        }
        return false;
    }

    /** Says which members {@code peer}'s configuration of this cluster places elsewhere than this host's config. */
    private void compareAddresses(RaftPeer peer, GroupInfoReply info) {
        if (!info.isSuccess() || info.getGroup() == null) {
            return;
        }
        for (RaftPeer member : info.getGroup().getPeers()) {
            String id = member.getId().toString();
            String mine = configured.get(id);
            if (mine == null || mine.equals(member.getAddress()) || !misplaced.add(id)) {
                continue;
            }
            LOG.warn("host {} has {} at {} in this cluster's Raft configuration, but this host's config puts it at {}:"
                            + " Raft sends to {} at the address the configuration holds, so a host listening elsewhere"
                            + " hears nothing; give every host the same cluster.peers", peer.getId(), id,
                    member.getAddress(), mine, id);
        }
    }

    @Override
    public void close() {
        asking.shutdownNow();
    }
}

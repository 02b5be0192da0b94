package io.resh.cluster;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The members of the cluster as another host sees them: a host that was removed while it was down recovers a
 * configuration from its storage that still names it, and only the others know better.
 */
final class MembersElsewhere {
    private static final Logger LOG = LoggerFactory.getLogger(MembersElsewhere.class);

    private MembersElsewhere() {
    }

    /** Who saw which members: a host's id and the ids in its configuration. */
    record Seen(String by, Set<String> members) {
    }

    /**
     * Asks {@code peers} other than {@code self}, one at a time, for their Raft configuration of {@code groupId},
     * and returns the first answer; empty if none answered within {@code timeout}.
     */
    static Optional<Seen> ask(RaftProperties properties, RaftGroupId groupId, Collection<RaftPeer> peers, String self,
                              Duration timeout) {
        List<RaftPeer> others = peers.stream().filter(p -> !p.getId().toString().equals(self)).toList();
        if (others.isEmpty()) {
            return Optional.empty();
        }
        // Its own thread: an RPC to a paused host waits out Ratis's RPC timeout, longer than the caller waits.
        CompletableFuture<Optional<Seen>> answer = new CompletableFuture<>();
        Thread asking = new Thread(() -> answer.complete(first(properties, groupId, others)), "resh-cluster-ask");
        asking.setDaemon(true);
        asking.start();
        try {
            return answer.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException("never completed exceptionally", e);
        }
    }

    private static Optional<Seen> first(RaftProperties properties, RaftGroupId groupId, List<RaftPeer> others) {
        try (RaftClient client = RaftClient.newBuilder().setProperties(properties)
                .setRaftGroup(RaftGroup.valueOf(groupId, others)).setRetryPolicy(RetryPolicies.noRetry()).build()) {
            for (RaftPeer peer : others) {
                try {
                    GroupInfoReply info = client.getGroupManagementApi(peer.getId()).info(groupId);
                    // The group as that host runs it names the members of its current configuration.
                    if (info.isSuccess() && info.getGroup() != null) {
                        Set<String> members = new TreeSet<>();
                        info.getGroup().getPeers().forEach(p -> members.add(p.getId().toString()));
                        return Optional.of(new Seen(peer.getId().toString(), members));
                    }
                } catch (IOException | RuntimeException e) {
                    LOG.debug("cannot ask {} for the members: {}", peer.getId(), e.toString());
                }
            }
        } catch (IOException e) {
            LOG.debug("closing the Raft client that asked for the members: {}", e.toString());
        }
        return Optional.empty();
    }
}

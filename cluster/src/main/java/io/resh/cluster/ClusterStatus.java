package io.resh.cluster;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.resh.gateway.GatewayStatus;
import io.resh.host.GroupStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * What one host knows about the cluster and its own replicas, for {@code resh status} and the admin API.
 * A cluster view is the list of every host's status; they agree on the leader and differ in how far
 * each host has applied the log.
 *
 * @param id this host's peer id
 * @param role Raft role: LEADER, FOLLOWER, CANDIDATE, LISTENER, or STARTING/CLOSED when not running
 * @param leader the leader's peer id as this host knows it, or empty
 * @param term current Raft term
 * @param commitIndex highest log index known committed
 * @param appliedIndex highest log index applied to the local group
 * @param snapshotIndex log index of the newest snapshot (-1 = none)
 * @param logStartIndex first log index still on disk (entries before it are in the snapshot)
 * @param appliedRequests client requests applied = the local group's sequence number
 * @param peers the current Raft configuration
 * @param group the local voted replica group; null while it restarts from an installed snapshot, and
 *     for a host of unmodified servers
 * @param gateway the local gateway of a host of unmodified servers, else null
 * @param settings the settings of the local group every host must share (service, replicas, limits), in one line;
 *     empty while the group restarts
 */
public record ClusterStatus(String id, String role, String leader, long term, long commitIndex, long appliedIndex,
                            long snapshotIndex, long logStartIndex, long appliedRequests, List<ClusterPeer> peers,
                            GroupStatus group, GatewayStatus gateway, String settings) {
    // Durations and instants in the group status as ISO-8601 text (PT1.5S), without the java.time module.
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new SimpleModule("resh-time")
            .addSerializer(Duration.class, ToStringSerializer.instance)
            .addSerializer(Instant.class, ToStringSerializer.instance));

    public boolean leading() {
        return "LEADER".equals(role);
    }

    /** One JSON object; peers as {@code {id, address, client}} strings. */
    public String toJson() {
        try {
            var node = JSON.valueToTree(this);
            var peerArray = JSON.createArrayNode();
            for (ClusterPeer p : peers) {
                peerArray.add(JSON.createObjectNode().put("id", p.id()).put("address", p.raftAddress())
                        .put("client", p.clientAddress()));
            }
            ((com.fasterxml.jackson.databind.node.ObjectNode) node).set("peers", peerArray);
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException | IllegalArgumentException e) {
            throw new IllegalStateException("cannot render the cluster status as JSON: " + e.getMessage(), e);
        }
    }
}

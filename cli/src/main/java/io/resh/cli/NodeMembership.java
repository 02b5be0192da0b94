package io.resh.cli;

import io.resh.admin.ClusterMembership;
import io.resh.cluster.ClusterNode;
import io.resh.cluster.ClusterPeer;
import java.util.List;

/**
 * The admin API's view of a running {@link ClusterNode}: its status and Raft membership changes. Checks
 * the request against the current members first, so that "already a member" and "not a member" reach the
 * caller as conflicts (409) and only a reconfiguration that was tried and failed as unavailable (503).
 */
final class NodeMembership implements ClusterMembership {
    private final ClusterNode node;

    NodeMembership(ClusterNode node) {
        this.node = node;
    }

    @Override
    public String statusJson() {
        return node.status().toJson();
    }

    @Override
    public void addPeer(String id, String address, String client) {
        ClusterPeer peer = ClusterPeer.of(id, address, client); // IllegalArgumentException names the field
        List<String> ids = members();
        if (ids.contains(id)) {
            throw new IllegalStateException("peer " + id + " is already a member; members: " + ids);
        }
        // Raft would send the new host's traffic to a member, and the change would only time out.
        for (ClusterPeer member : node.status().peers()) {
            if (member.raftAddress().equals(peer.raftAddress()) || member.clientAddress().equals(peer.clientAddress())) {
                boolean raft = member.raftAddress().equals(peer.raftAddress());
                String what = raft ? "address" : "client";
                throw new IllegalStateException("its " + what + " "
                        + (raft ? peer.raftAddress() : peer.clientAddress()) + " is " + member.id() + "'s " + what);
            }
        }
        node.addPeer(peer);
    }

    @Override
    public void removePeer(String id) {
        List<String> ids = members();
        if (!ids.contains(id)) {
            throw new IllegalStateException("peer " + id + " is not a member; members: " + ids);
        }
        if (ids.size() == 1) {
            // The admin API puts "cannot remove host <id>: " in front already.
            throw new IllegalStateException("it is the last member");
        }
        node.removePeer(id);
    }

    @Override
    public void transferLeadership(String id) {
        List<String> ids = members();
        if (!ids.contains(id)) {
            throw new IllegalStateException("peer " + id + " is not a member; members: " + ids);
        }
        node.transferLeadership(id);
    }

    private List<String> members() {
        return node.status().peers().stream().map(ClusterPeer::id).toList();
    }
}

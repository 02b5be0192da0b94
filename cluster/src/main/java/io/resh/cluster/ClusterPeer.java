package io.resh.cluster;

import java.net.InetSocketAddress;

/**
 * One host of a cluster.
 *
 * @param id stable peer id (letters, digits, '-', '_'), the Raft peer id
 * @param address where its Ratis server listens (host to host traffic)
 * @param client where its front door listens for resh clients
 */
public record ClusterPeer(String id, InetSocketAddress address, InetSocketAddress client) {
    public ClusterPeer {
        if (id == null || !id.matches("[A-Za-z0-9_-]{1,64}")) {
            throw new IllegalArgumentException("peer id '" + id + "' must be 1-64 letters, digits, '-' or '_'");
        }
    }

    /** {@code host:port} of the Ratis server. */
    public String raftAddress() {
        return address.getHostString() + ":" + address.getPort();
    }

    /** {@code host:port} of the front door. */
    public String clientAddress() {
        return client.getHostString() + ":" + client.getPort();
    }
}

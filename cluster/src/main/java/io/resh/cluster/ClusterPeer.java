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

    /**
     * A peer from {@code host:port} strings, as an admin request or a command line gives them.
     *
     * @throws IllegalArgumentException naming the bad address
     */
    public static ClusterPeer of(String id, String address, String client) {
        return new ClusterPeer(id, hostPort("address", address), hostPort("client", client));
    }

    private static InetSocketAddress hostPort(String what, String text) {
        int colon = text == null ? -1 : text.lastIndexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException(what + ": expected host:port, got '" + text + "'");
        }
        try {
            int port = Integer.parseInt(text.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(what + ": port out of range 1-65535 in '" + text + "'");
            }
            return InetSocketAddress.createUnresolved(text.substring(0, colon), port);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(what + ": port is not a number in '" + text + "'");
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

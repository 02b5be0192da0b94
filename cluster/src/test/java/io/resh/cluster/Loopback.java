package io.resh.cluster;

import io.resh.gateway.server.FreePorts;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** Loopback cluster layouts for tests: free ports, short Raft timeouts. */
final class Loopback {
    private Loopback() {
    }

    /**
     * Outside the ephemeral range: a host that restarts binds its ports again, and in between any outgoing
     * connection (its gateway's to fresh servers) could be given the same number as its local port.
     */
    static int freePort() {
        int port;
        do {
            port = FreePorts.pick();
        } while (!PICKED.add(port));
        return port;
    }

    /**
     * Every port picked in this JVM: a pick is free when made but not held, so two picks could return the same one
     * (once in a full run: "h3's client 127.0.0.1:12162 is also h2's client"). A test that restarts a host reuses
     * its peer, not a pick.
     */
    private static final Set<Integer> PICKED = ConcurrentHashMap.newKeySet();

    static List<ClusterPeer> peers(int n) {
        List<ClusterPeer> peers = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            peers.add(peer("h" + i));
        }
        return peers;
    }

    static ClusterPeer peer(String id) {
        return new ClusterPeer(id, InetSocketAddress.createUnresolved("127.0.0.1", freePort()),
                InetSocketAddress.createUnresolved("127.0.0.1", freePort()));
    }

    static ClusterConfig config(String id, List<ClusterPeer> peers, Path storage, long snapshotEvery) {
        return config(id, peers, storage, snapshotEvery, Duration.ofMillis(400), Duration.ofMillis(800));
    }

    /** As above, with Raft's election timeout between {@code electionMin} and {@code electionMax}. */
    static ClusterConfig config(String id, List<ClusterPeer> peers, Path storage, long snapshotEvery,
                                Duration electionMin, Duration electionMax) {
        return new ClusterConfig(id, peers, storage, "test", electionMin, electionMax, snapshotEvery,
                Duration.ofSeconds(8), 64 << 10);
    }

    static List<InetSocketAddress> clientAddresses(List<ClusterPeer> peers) {
        return peers.stream().map(p -> new InetSocketAddress(p.client().getHostString(), p.client().getPort())).toList();
    }
}

package io.resh.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Loopback cluster layouts for tests: free ports, short Raft timeouts. */
final class Loopback {
    private Loopback() {
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

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
        return new ClusterConfig(id, peers, storage, "test", Duration.ofMillis(400), Duration.ofMillis(800),
                snapshotEvery, Duration.ofSeconds(8), 64 << 10);
    }

    static List<InetSocketAddress> clientAddresses(List<ClusterPeer> peers) {
        return peers.stream().map(p -> new InetSocketAddress(p.client().getHostString(), p.client().getPort())).toList();
    }
}

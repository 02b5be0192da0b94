package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.core.CompletionCause;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A follower's connection to the leader's front door, over which it forwards requests (marked
 * forwarded, with the client's id and call number unchanged). Reconnects when the leader changes, or when the
 * connection died. Connecting blocks, so it happens on this link's own thread, never on a network or Raft thread.
 */
final class LeaderLink implements AutoCloseable {
    private final ExecutorService connector = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "resh-cluster-forward");
        t.setDaemon(true);
        return t;
    });
    private ReshClient client; // only on the connector thread
    private InetSocketAddress target;

    /**
     * Sends {@code frame} to the front door at {@code leader}; never completes exceptionally. The caller may be a
     * front door's network thread, so it only hands the frame to this link's thread.
     */
    CompletableFuture<ClusterReply> forward(InetSocketAddress leader, byte[] frame) {
        // The send runs on this link's thread too: sending on a connection that died reconnects, blocking up to the
        // connect timeout. Sending in a stage after the connection step ran it on whichever thread got there last,
        // which was the caller's whenever the link's thread had finished the step before the stage was attached.
        return CompletableFuture.supplyAsync(() -> connection(leader).send(frame), connector)
                .thenCompose(sent -> sent)
                .thenApply(ClusterReply::ok)
                .exceptionally(e -> {
                    Throwable t = CompletionCause.of(e);
                    if (t instanceof ReshRemoteException r) {
                        return ClusterReply.error(r.status(), r.getMessage());
                    }
                    return ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, "forwarding to the leader at " + leader
                            + " failed: " + t.getMessage() + "; retry");
                });
    }

    private ReshClient connection(InetSocketAddress leader) {
        if (client != null && leader.equals(target)) {
            return client;
        }
        if (client != null) {
            client.close();
            client = null;
        }
        client = ReshClient.connect(List.of(new InetSocketAddress(leader.getHostString(), leader.getPort())));
        target = leader;
        return client;
    }

    @Override
    public void close() {
        connector.submit(() -> {
            if (client != null) {
                client.close();
            }
        });
        connector.shutdown();
    }
}

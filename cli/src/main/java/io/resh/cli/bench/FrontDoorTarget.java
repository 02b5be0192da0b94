package io.resh.cli.bench;

import io.resh.client.ReshClient;
import io.resh.host.ReplicaGroup;
import io.resh.host.net.ReshServer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * A replica group behind its TCP front door ({@link ReshServer}), driven by {@link ReshClient}s over
 * loopback: what a remote client of resh gets, codec and sockets included. Requests go round-robin
 * over the connections. Closing it closes the server and clients, not the group.
 */
final class FrontDoorTarget implements Target {
    private final ReplicaGroup group;
    private final ReshServer server;
    private final List<ReshClient> clients = new ArrayList<>();
    private final String label;
    private int next;

    private FrontDoorTarget(ReplicaGroup group, int connections) {
        this.group = group;
        this.label = "N=" + group.config().replicas() + " front door";
        this.server = ReshServer.start(group, "127.0.0.1", 0);
        try {
            for (int i = 0; i < connections; i++) {
                clients.add(ReshClient.connect("127.0.0.1", server.port()));
            }
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Serves {@code group} on a free loopback port and opens {@code connections} client connections to it. */
    static FrontDoorTarget over(ReplicaGroup group, int connections) {
        return new FrontDoorTarget(group, connections);
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public CompletableFuture<byte[]> send(byte[] request) {
        ReshClient c = clients.get(next);
        next = next + 1 == clients.size() ? 0 : next + 1;
        return c.send(request);
    }

    @Override
    public List<Long> processes() {
        return GroupTarget.replicaProcesses(group);
    }

    @Override
    public void close() {
        clients.forEach(ReshClient::close);
        server.close();
    }
}

package io.resh.cli.bench;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/** The same target measured a second way, under a name of its own. */
final class Relabeled implements Target {
    private final Target target;
    private final String label;

    Relabeled(Target target, String label) {
        this.target = target;
        this.label = label;
    }

    @Override
    public String label() {
        return label;
    }

    @Override
    public CompletableFuture<byte[]> send(byte[] request) {
        return target.send(request);
    }

    @Override
    public List<CompletableFuture<byte[]>> sendAll(List<byte[]> requests) {
        return target.sendAll(requests);
    }

    @Override
    public List<Long> processes() {
        return target.processes();
    }

    @Override
    public void close() {
        // the target it names is closed with the others
    }
}

package io.resh.host.net;

import io.resh.host.ReplicaGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** A local replica group as a front door's sink: the requests of one read reach its loop as one batch. */
final class GroupSink implements RequestSink {
    private final ReplicaGroup group;

    GroupSink(ReplicaGroup group) {
        this.group = group;
    }

    @Override
    public CompletableFuture<Reply> submit(byte[] request) {
        return group.submit(request).thenApply(Reply::ok);
    }

    @Override
    public List<CompletableFuture<Reply>> submitAll(List<byte[]> requests) {
        List<CompletableFuture<byte[]>> voted = group.submitAll(requests);
        List<CompletableFuture<Reply>> replies = new ArrayList<>(voted.size());
        for (CompletableFuture<byte[]> v : voted) {
            replies.add(v.thenApply(Reply::ok));
        }
        return replies;
    }
}

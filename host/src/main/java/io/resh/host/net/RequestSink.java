package io.resh.host.net;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Where a front door ({@link ReshServer}) sends the requests it reads: whatever puts them in the
 * service's one total order and answers each, such as a local replica group or a cluster's Raft log.
 *
 * <p>Called on a connection's network thread, so neither method may block. The returned futures may be
 * completed on any thread; one that completes exceptionally is answered as {@link Reply#failure}.
 */
@FunctionalInterface
public interface RequestSink {
    /** Submits one request (the frame after its correlation id) and returns what its client will get. */
    CompletableFuture<Reply> submit(byte[] request);

    /**
     * Submits the requests one connection sent in one read, in the order listed, and returns their replies
     * in the same order. By default one {@link #submit} each; a sink that can take a batch in one step
     * (one hand-off to the thread that orders requests) should. The caller reuses the list once this returns.
     */
    default List<CompletableFuture<Reply>> submitAll(List<byte[]> requests) {
        List<CompletableFuture<Reply>> replies = new ArrayList<>(requests.size());
        for (byte[] request : requests) {
            replies.add(submit(request));
        }
        return replies;
    }
}

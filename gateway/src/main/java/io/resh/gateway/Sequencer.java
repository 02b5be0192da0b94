package io.resh.gateway;

import io.resh.gateway.protocol.Request;
import java.util.concurrent.CompletableFuture;

/**
 * Orders client requests outside the gateway before any replica sees them, e.g. through the Raft log
 * of a resh cluster, where every host's gateway then executes the committed requests in log order
 * ({@link Gateway#execute}). Without a sequencer the gateway orders requests itself.
 */
@FunctionalInterface
public interface Sequencer {

    /**
     * Puts one framed client request into the shared order.
     *
     * @return the bytes to send back to the client in its protocol (the voted reply, or an error reply
     *     the gateway's protocol produced), or a future failed with an exception whose message tells the
     *     client why the request could not be ordered (it then gets an error reply in its protocol)
     */
    CompletableFuture<byte[]> order(Request request);
}

package io.resh.cli.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** One way of running the service under test: in-process, through a group's submit API, or over TCP. */
interface Target extends AutoCloseable {

    /** Short name shown in tables, e.g. {@code N=3 submit}. */
    String label();

    /** Sends one request. Called from one driver thread at a time. */
    CompletableFuture<byte[]> send(byte[] request);

    /**
     * Sends several requests in this order; a target whose API takes them at once (a group's
     * {@code submitAll}) overrides this. Called from one driver thread at a time.
     */
    default List<CompletableFuture<byte[]>> sendAll(List<byte[]> requests) {
        List<CompletableFuture<byte[]>> sent = new ArrayList<>(requests.size());
        for (byte[] r : requests) {
            sent.add(send(r));
        }
        return sent;
    }

    /** OS processes (besides this JVM) that do this target's work: counted in its CPU time. */
    List<Long> processes();

    @Override
    void close();
}

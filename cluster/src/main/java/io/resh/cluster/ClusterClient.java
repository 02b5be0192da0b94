package io.resh.cluster;

import io.resh.client.ClientProtocol;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.core.CompletionCause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A client of a resh cluster that applies each request exactly once while hosts fail: every request
 * carries this client's id and a call number, and is resent with the same ones to the next host when a
 * host is unreachable, has no leader, or does not answer in time; the cluster's retry cache answers a
 * resent request that was already applied with its first outcome instead of applying it again.
 *
 * <pre>{@code
 * try (ClusterClient client = ClusterClient.connect(hosts, Duration.ofSeconds(30))) {
 *     byte[] reply = client.call(KvRequests.set("k", "v"));
 * }
 * }</pre>
 *
 * A definite error (the service threw, the group fail-stopped, a bad request) is not retried. When no
 * host answers before the deadline, the outcome is unknown: the future fails with an
 * {@link IOException} (the request may or may not have been applied). Thread-safe.
 */
public final class ClusterClient implements AutoCloseable {
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration BACKOFF = Duration.ofMillis(100);

    private final List<InetSocketAddress> hosts;
    private final AtomicReferenceArray<ReshClient> connections;
    private final Duration deadline;
    private final UUID id = UUID.randomUUID();
    private final AtomicLong calls = new AtomicLong();
    private final ScheduledExecutorService retries = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "resh-cluster-client-retry");
        t.setDaemon(true);
        return t;
    });
    private volatile int current;

    private ClusterClient(List<InetSocketAddress> hosts, Duration deadline) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no hosts given");
        }
        this.hosts = List.copyOf(hosts);
        this.connections = new AtomicReferenceArray<>(hosts.size());
        this.deadline = deadline;
    }

    /**
     * A client of the cluster whose front doors are {@code hosts}; connects lazily.
     *
     * @param deadline how long one request may be retried before its outcome is reported unknown
     */
    public static ClusterClient connect(List<InetSocketAddress> hosts, Duration deadline) {
        return new ClusterClient(hosts, deadline);
    }

    /** This client's id, as the cluster's retry cache knows it. */
    public UUID id() {
        return id;
    }

    /** Sends one request; completes with the voted reply, a {@link ReshRemoteException}, or an IOException. */
    public CompletableFuture<byte[]> send(byte[] request) {
        byte[] frame = new Envelope(id, calls.incrementAndGet(), request).encode();
        CompletableFuture<byte[]> result = new CompletableFuture<>();
        attempt(frame, result, System.nanoTime() + deadline.toNanos(), 1, null);
        return result;
    }

    /** Sends and waits; rethrows {@link ReshRemoteException}, or {@link UncheckedIOException} when unknown. */
    public byte[] call(byte[] request) {
        try {
            // The send itself gives up at the deadline; the margin covers the last attempt.
            return send(request).get(deadline.plus(ATTEMPT_TIMEOUT).plusSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new UncheckedIOException(new IOException("no outcome within the deadline; the outcome is unknown"));
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException(e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted; outcome unknown"));
        }
    }

    private void attempt(byte[] frame, CompletableFuture<byte[]> result, long deadlineNanos, int n, Throwable last) {
        if (System.nanoTime() > deadlineNanos) {
            result.completeExceptionally(new IOException("no host answered within " + deadline.toMillis() + " ms ("
                    + (n - 1) + " attempts); the outcome is unknown. Last error: " + last));
            return;
        }
        int idx = current;
        CompletableFuture<byte[]> reply;
        try {
            reply = connection(idx).send(frame);
        } catch (RuntimeException e) {
            reply = CompletableFuture.failedFuture(e);
        }
        // Completions arrive on a connection's event loop, where closing that connection would deadlock:
        // decide on this client's own thread.
        reply.orTimeout(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((bytes, error) -> {
            if (error == null) {
                result.complete(bytes);
                return;
            }
            Throwable t = CompletionCause.of(error);
            if (t instanceof ReshRemoteException r && !ClientProtocol.retryableWithSameId(r.status())) {
                result.completeExceptionally(r);
                return;
            }
            if (!(t instanceof ReshRemoteException)) {
                drop(idx);
            }
            if (current == idx) {
                current = (idx + 1) % hosts.size();
            }
            // Every host unavailable at once (an election) is the common case: wait a little before the round.
            long delay = current == 0 || hosts.size() == 1 ? BACKOFF.toMillis() : 0;
            try {
                retries.schedule(() -> attempt(frame, result, deadlineNanos, n + 1, t), delay, TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                result.completeExceptionally(new IOException("client closed; the outcome is unknown", t));
            }
        }, retries);
    }

    private ReshClient connection(int idx) {
        ReshClient c = connections.get(idx);
        if (c == null) {
            c = ReshClient.connect(List.of(hosts.get(idx)));
            if (!connections.compareAndSet(idx, null, c)) {
                c.close();
                c = connections.get(idx);
            }
        }
        return c;
    }

    private void drop(int idx) {
        ReshClient c = connections.getAndSet(idx, null);
        if (c != null) {
            try {
                c.close();
            } catch (RuntimeException e) {
                // the connection is already gone; nothing else to release
            }
        }
    }

    /** The host the next request goes to first. */
    public InetSocketAddress currentHost() {
        return hosts.get(current);
    }

    @Override
    public void close() {
        retries.shutdownNow();
        for (int i = 0; i < hosts.size(); i++) {
            drop(i);
        }
    }
}

package io.resh.cluster;

import io.resh.client.ReshRemoteException;
import io.resh.cluster.RegisterHistory.Kind;
import io.resh.cluster.RegisterHistory.Op;
import io.resh.cluster.RegisterHistory.Outcome;
import io.resh.examples.kv.KvReply;
import io.resh.examples.kv.KvRequests;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Concurrent clients doing single-key SET/GET on a few keys with unique written values, recording every
 * operation (invoke, ok/fail/unknown) into a {@link RegisterHistory}. Bounded in count and in time.
 */
final class KvWorkload implements AutoCloseable {
    private final List<InetSocketAddress> hosts;
    private final int clients;
    private final int keys;
    private final RegisterHistory history = new RegisterHistory();
    private final AtomicLong completed = new AtomicLong();
    private final AtomicLong lastOkNanos = new AtomicLong();
    private final ExecutorService pool;
    private final List<Future<?>> running = new ArrayList<>();

    KvWorkload(List<InetSocketAddress> hosts, int clients, int keys) {
        this.hosts = hosts;
        this.clients = clients;
        this.keys = keys;
        this.pool = Executors.newFixedThreadPool(clients);
    }

    RegisterHistory history() {
        return history;
    }

    long completed() {
        return completed.get();
    }

    /** When the last OK operation completed (System.nanoTime). */
    long lastOkNanos() {
        return lastOkNanos.get();
    }

    /** Starts the clients; each stops after {@code opsPerClient} operations or {@code bound}. */
    void start(int opsPerClient, Duration bound) {
        long stopAt = System.nanoTime() + bound.toNanos();
        for (int c = 0; c < clients; c++) {
            int process = c;
            running.add(pool.submit(() -> run(process, opsPerClient, stopAt)));
        }
    }

    /** Waits for the clients to finish, then reads every key once more through a fresh client. */
    void finish(Duration timeout) throws Exception {
        for (Future<?> f : running) {
            f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        try (ClusterClient client = ClusterClient.connect(hosts, Duration.ofSeconds(20))) {
            for (int k = 0; k < keys; k++) {
                read(-1, client, "k" + k);
            }
        }
    }

    private void run(int process, int ops, long stopAt) {
        SplittableRandom random = new SplittableRandom(process * 7919L + 1);
        try (ClusterClient client = ClusterClient.connect(hosts, Duration.ofSeconds(20))) {
            for (int n = 0; n < ops && System.nanoTime() < stopAt; n++) {
                String key = "k" + random.nextInt(keys);
                if (random.nextBoolean()) {
                    write(process, client, key, "p" + process + "-" + n);
                } else {
                    read(process, client, key);
                }
                completed.incrementAndGet();
            }
        }
    }

    private void write(int process, ClusterClient client, String key, String value) {
        long t0 = System.nanoTime();
        Outcome outcome;
        try {
            KvReply r = KvRequests.decodeReply(client.call(KvRequests.set(key, value)));
            outcome = r instanceof KvReply.Ok ? Outcome.OK : Outcome.FAIL;
        } catch (ReshRemoteException e) {
            outcome = Outcome.FAIL;
        } catch (RuntimeException e) {
            outcome = Outcome.UNKNOWN;
        }
        long t1 = System.nanoTime();
        if (outcome == Outcome.OK) {
            lastOkNanos.accumulateAndGet(t1, Math::max);
        }
        history.add(new Op(process, key, Kind.WRITE, value, t0, t1, outcome));
    }

    private void read(int process, ClusterClient client, String key) {
        long t0 = System.nanoTime();
        Outcome outcome;
        String value = null;
        try {
            KvReply r = KvRequests.decodeReply(client.call(KvRequests.get(key)));
            if (r instanceof KvReply.Value v) {
                value = v.utf8();
                outcome = Outcome.OK;
            } else {
                outcome = r instanceof KvReply.Nil ? Outcome.OK : Outcome.FAIL;
            }
        } catch (ReshRemoteException e) {
            outcome = Outcome.FAIL;
        } catch (RuntimeException e) {
            outcome = Outcome.UNKNOWN;
        }
        long t1 = System.nanoTime();
        if (outcome == Outcome.OK) {
            lastOkNanos.accumulateAndGet(t1, Math::max);
        }
        history.add(new Op(process, key, Kind.READ, value, t0, t1, outcome));
    }

    @Override
    public void close() {
        pool.shutdownNow();
    }
}

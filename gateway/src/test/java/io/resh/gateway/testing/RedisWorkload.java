package io.resh.gateway.testing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A checked SET / INCR / GET workload: every reply is compared with a model of what one correct Redis
 * answers. Bounded by operation count and by time.
 */
public final class RedisWorkload implements Runnable {
    private final int port;
    private final int operations;
    private final long maxNanos;
    private final String prefix;
    private final AtomicInteger done = new AtomicInteger();
    private final List<String> wrong = new ArrayList<>();
    private volatile Throwable failure;

    public RedisWorkload(int port, String prefix, int operations, long maxMillis) {
        this.port = port;
        this.prefix = prefix;
        this.operations = operations;
        this.maxNanos = maxMillis * 1_000_000;
    }

    @Override
    public void run() {
        Map<String, String> values = new HashMap<>();
        Map<String, Long> counters = new HashMap<>();
        long start = System.nanoTime();
        try (RespClient c = new RespClient(port)) {
            for (int i = 0; i < operations && System.nanoTime() - start < maxNanos; i++) {
                String key = prefix + "k" + (i % 37);
                String counter = prefix + "c" + (i % 11);
                switch (i % 3) {
                    case 0 -> {
                        String v = "v" + i + "-\u00e9\u6f22";
                        check(i, "SET", c.call("SET", key, v), "OK");
                        values.put(key, v);
                    }
                    case 1 -> {
                        long expected = counters.merge(counter, 1L, Long::sum);
                        check(i, "INCR", c.call("INCR", counter), expected);
                    }
                    default -> check(i, "GET", RespClient.text(c.call("GET", key)), values.get(key));
                }
                done.incrementAndGet();
            }
        } catch (Throwable t) {
            failure = t;
        }
    }

    private void check(int i, String what, Object actual, Object expected) {
        if (expected == null ? actual != null : !expected.equals(actual)) {
            synchronized (wrong) {
                wrong.add("#" + i + " " + what + ": expected " + expected + " got " + actual);
            }
        }
    }

    public int done() {
        return done.get();
    }

    /** Replies that differed from the model. */
    public List<String> wrong() {
        synchronized (wrong) {
            return List.copyOf(wrong);
        }
    }

    /** An exception that ended the workload early (e.g. the connection closed), or null. */
    public Throwable failure() {
        return failure;
    }
}

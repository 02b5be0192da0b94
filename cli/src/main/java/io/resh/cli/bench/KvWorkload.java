package io.resh.cli.bench;

import io.resh.examples.kv.KvRequests;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The {@code kv-small} requests for {@link io.resh.examples.kv.KvStore}: half {@code SET} of a 16-byte
 * key to a 41-byte value (a 64-byte request, 1-byte reply), half {@code GET} of one of the same keys
 * (19-byte request, 42-byte reply), over {@value #KEYS} keys.
 */
final class KvWorkload {
    static final int KEYS = 1024;
    static final int REQUEST_BYTES = 64;
    private static final int VALUE_BYTES = 41;
    private static final int POOL = 8192;

    private KvWorkload() {
    }

    static RequestSource mixed(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> pool = new ArrayList<>(POOL);
        for (int i = 0; i < POOL; i++) {
            String key = key(random.nextInt(KEYS));
            if (i % 2 == 0) {
                byte[] set = KvRequests.set(key, printable(random, VALUE_BYTES));
                if (set.length != REQUEST_BYTES) {
                    throw new IllegalStateException("a kv-small SET should be " + REQUEST_BYTES + " bytes, is " + set.length);
                }
                pool.add(set);
            } else {
                pool.add(KvRequests.get(key));
            }
        }
        return new RequestSource(pool, "64-byte KV requests: 50% SET (16-byte key, 41-byte value), 50% GET, "
                + KEYS + " keys");
    }

    /** Only the 64-byte {@code SET}s of {@link #mixed}. */
    static RequestSource sets(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < POOL / 2; i++) {
            pool.add(KvRequests.set(key(random.nextInt(KEYS)), printable(random, VALUE_BYTES)));
        }
        return new RequestSource(pool, "64-byte KV SET requests, " + KEYS + " keys");
    }

    static String key(int i) {
        return String.format("key-%012d", i);
    }

    static byte[] printable(SplittableRandom random, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) ('a' + random.nextInt(26));
        }
        return b;
    }
}

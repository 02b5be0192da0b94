package io.resh.campaign;

import io.resh.examples.kv.KvRequests;
import io.resh.examples.kv.KvStore;
import io.resh.replica.ReplicatedService;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A key-value mix over 64 keys and 8 counters: GET, SET, INCR, DEL, CAS and SIZE. Values come mostly
 * from a small alphabet so that CAS sometimes swaps. No TOUCH or MTIME: their replies carry the host's
 * clock, which the golden run can't know. For the same reason the state comparison reads every key and
 * the size back from the group's snapshot instead of comparing bytes (the snapshot holds modification
 * times).
 */
final class KvWorkload implements Workload {
    private static final int KEYS = 64;
    private static final int COUNTERS = 8;
    private static final String[] VALUES = {"red", "green", "blue", "cyan", "magenta", "yellow", "black", "white"};

    @Override
    public String name() {
        return "kv";
    }

    @Override
    public List<String> versions() {
        return List.of(KvStore.class.getName());
    }

    @Override
    public ReplicatedService newGolden() {
        return new KvStore();
    }

    @Override
    public byte[] nextRequest(SplittableRandom random) {
        int dice = random.nextInt(100);
        String key = key(random.nextInt(KEYS));
        if (dice < 35) {
            return KvRequests.get(key);
        }
        if (dice < 60) {
            return KvRequests.set(key, value(random));
        }
        if (dice < 75) {
            return KvRequests.incrBy(counter(random.nextInt(COUNTERS)), random.nextLong(-10, 11));
        }
        if (dice < 83) {
            return KvRequests.del(key);
        }
        if (dice < 93) {
            byte[] expected = random.nextInt(4) == 0 ? null : VALUES[random.nextInt(VALUES.length)].getBytes(StandardCharsets.UTF_8);
            return KvRequests.cas(key, expected, value(random));
        }
        return KvRequests.size();
    }

    private static byte[] value(SplittableRandom random) {
        if (random.nextInt(4) == 0) {
            byte[] v = new byte[1 + random.nextInt(64)];
            random.nextBytes(v);
            return v;
        }
        return VALUES[random.nextInt(VALUES.length)].getBytes(StandardCharsets.UTF_8);
    }

    private static String key(int i) {
        return String.format("key-%02d", i);
    }

    private static String counter(int i) {
        return "counter-" + i;
    }

    @Override
    public boolean sameState(byte[] snapshot, ReplicatedService golden) {
        KvStore restored = new KvStore();
        try {
            restored.restore(new ByteArrayInputStream(snapshot));
        } catch (IOException | RuntimeException e) {
            return false; // a snapshot the service itself refuses is certainly not the golden state
        }
        return Arrays.equals(probe(restored), probe(golden));
    }

    /** Every key's value and the number of keys, as the service answers them. */
    private static byte[] probe(ReplicatedService store) {
        List<byte[]> probes = new ArrayList<>();
        for (int i = 0; i < KEYS; i++) {
            probes.add(KvRequests.get(key(i)));
        }
        for (int i = 0; i < COUNTERS; i++) {
            probes.add(KvRequests.get(counter(i)));
        }
        probes.add(KvRequests.size());
        GoldenRun run = new GoldenRun(store);
        StringBuilder out = new StringBuilder();
        for (byte[] p : probes) {
            out.append(run.expect(p)).append('\n');
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }
}

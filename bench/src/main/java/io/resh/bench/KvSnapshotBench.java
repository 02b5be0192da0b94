package io.resh.bench;

import io.resh.examples.kv.KvRequests;
import io.resh.examples.kv.KvStore;
import io.resh.replica.ExecutionContext;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link KvStore#snapshot} per second between two checkpoints of the {@code kv-small} mix: a checkpoint's
 * work in every replica (the digest over the bytes comes on top, on another thread). {@code newKeys}
 * is how many writes to keys not yet stored come between two snapshots: 0 is {@code kv-small}, where
 * the set of keys stays the same once the store is loaded and only values change.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar KvSnapshotBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KvSnapshotBench {

    /** Keys in the store. */
    @Param({"1024", "100000"})
    int keys;

    /** Writes of a key not yet stored between two snapshots. */
    @Param({"0", "1"})
    int newKeys;

    private final ExecutionContext context = ExecutionContext.of(1, 1_700_000_000_000L, 7);
    private final SplittableRandom random = new SplittableRandom(2011);
    private KvStore store;
    private ByteArrayOutputStream out;
    private long fresh;

    @Setup
    public void prepare() throws IOException {
        store = new KvStore();
        byte[] value = new byte[41];
        for (int i = 0; i < keys; i++) {
            store.execute(KvRequests.set(String.format("key-%012d", i), value), context);
        }
        out = new ByteArrayOutputStream(keys * 80);
        store.snapshot(out);
    }

    @Benchmark
    public int snapshot() throws IOException {
        byte[] value = new byte[41];
        value[0] = (byte) random.nextInt();
        store.execute(KvRequests.set(String.format("key-%012d", random.nextInt(keys)), value), context);
        for (int i = 0; i < newKeys; i++) {
            store.execute(KvRequests.set(String.format("new-%012d", fresh++), value), context);
            store.execute(KvRequests.del(String.format("new-%012d", fresh - 1)), context);
        }
        out.reset();
        store.snapshot(out);
        return out.size();
    }
}

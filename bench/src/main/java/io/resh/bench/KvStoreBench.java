package io.resh.bench;

import io.resh.examples.kv.KvRequests;
import io.resh.examples.kv.KvStore;
import io.resh.replica.ExecutionContext;
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
 * {@link KvStore#execute} per second on the {@code kv-small} mix (half 64-byte {@code SET}s, half
 * {@code GET}s of the same keys): the service work every replica repeats, so N-modular redundancy
 * pays it N times per request. Parse, apply and encode the reply, no IPC.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar KvStoreBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class KvStoreBench {

    private static final int POOL = 8192;

    /** Distinct keys the requests touch. */
    @Param({"1024", "100000"})
    int keys;

    private KvStore store;
    private byte[][] requests;
    private int next;
    private final ExecutionContext context = ExecutionContext.of(1, 1_700_000_000_000L, 7);

    @Setup
    public void prepare() {
        SplittableRandom random = new SplittableRandom(2011);
        requests = new byte[POOL][];
        for (int i = 0; i < POOL; i++) {
            String key = String.format("key-%012d", random.nextInt(keys));
            if (i % 2 == 0) {
                byte[] value = new byte[41];
                for (int j = 0; j < value.length; j++) {
                    value[j] = (byte) ('a' + random.nextInt(26));
                }
                requests[i] = KvRequests.set(key, value);
            } else {
                requests[i] = KvRequests.get(key);
            }
        }
        store = new KvStore();
        for (int i = 0; i < keys; i++) {
            store.execute(KvRequests.set(String.format("key-%012d", i), new byte[41]), context);
        }
    }

    @Benchmark
    public byte[] execute() {
        byte[] request = requests[next];
        next = (next + 1) & (POOL - 1);
        return store.execute(request, context);
    }
}

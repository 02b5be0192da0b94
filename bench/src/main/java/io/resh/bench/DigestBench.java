package io.resh.bench;

import io.resh.core.Digest;
import java.security.MessageDigest;
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
 * SHA-256 digests per second: what a replica pays to digest a snapshot at a checkpoint, and what the
 * host would pay to vote on digests of large replies instead of the replies.
 *
 * <ul>
 *   <li>{@code of}: {@link Digest#of}, which looks up a fresh SHA-256 engine per call.
 *   <li>{@code reusedEngine}: one kept {@link MessageDigest}, to show what the per-call lookup costs
 *       on small inputs.
 * </ul>
 *
 * Bytes per second = ops/s × {@code bytes}.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar DigestBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DigestBench {

    @Param({"64", "65536", "1048576"})
    int bytes;

    private byte[] data;
    private MessageDigest engine;

    @Setup
    public void prepare() {
        data = new byte[bytes];
        new SplittableRandom(42).nextBytes(data);
        engine = Digest.sha256();
    }

    @Benchmark
    public Digest of() {
        return Digest.of(data);
    }

    @Benchmark
    public byte[] reusedEngine() {
        return engine.digest(data);
    }
}

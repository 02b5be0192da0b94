package io.resh.bench;

import io.resh.core.Ballot;
import io.resh.core.Quorum;
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
 * Votes per second of one TMR request (N = 3): a fresh {@link Ballot}, three replies cast, as the host
 * does for every request. Replies are distinct arrays with equal contents, and a dissenting reply
 * differs only in its last byte, so every comparison reads the whole reply: the worst case.
 *
 * <ul>
 *   <li>{@code UNANIMOUS}: decided by the second reply, the third agrees (the common case).
 *   <li>{@code LATE_DISSENT}: decided by the second reply, the third dissents (a faulty slow replica).
 *   <li>{@code EARLY_DISSENT}: the first reply is wrong, so the decision waits for the third.
 * </ul>
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar BallotBench
 * java -jar bench/target/benchmarks.jar BallotBench -p replyBytes=64 -f 1 -wi 1 -i 2 -w 1s -r 1s
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class BallotBench {

    /** Which replies disagree, and when. */
    public enum Pattern {
        UNANIMOUS(Ballot.Outcome.AGREES),
        LATE_DISSENT(Ballot.Outcome.DISSENTS),
        EARLY_DISSENT(Ballot.Outcome.DECIDED);

        final Ballot.Outcome lastCast;

        Pattern(Ballot.Outcome lastCast) {
            this.lastCast = lastCast;
        }
    }

    private static final int REPLICAS = 3;

    @Param({"64", "4096", "65536"})
    int replyBytes;

    @Param({"UNANIMOUS", "LATE_DISSENT", "EARLY_DISSENT"})
    Pattern pattern;

    private final Quorum quorum = new Quorum(REPLICAS);
    private byte[][] replies;

    @Setup
    public void prepare() {
        byte[] correct = new byte[replyBytes];
        new SplittableRandom(42).nextBytes(correct);
        byte[] wrong = correct.clone();
        wrong[replyBytes - 1] ^= 0x01;
        replies = new byte[REPLICAS][];
        for (int i = 0; i < REPLICAS; i++) {
            replies[i] = correct.clone();
        }
        if (pattern == Pattern.LATE_DISSENT) {
            replies[2] = wrong;
        } else if (pattern == Pattern.EARLY_DISSENT) {
            replies[0] = wrong;
        }
        Ballot.Outcome outcome = vote();
        if (outcome != pattern.lastCast) {
            // Guards against measuring a different vote than the one this pattern names.
            throw new IllegalStateException(pattern + " should end " + pattern.lastCast + " but ended " + outcome);
        }
    }

    @Benchmark
    public Ballot.Outcome vote() {
        Ballot ballot = new Ballot(quorum);
        ballot.cast(0, replies[0], REPLICAS);
        ballot.cast(1, replies[1], REPLICAS);
        return ballot.cast(2, replies[2], REPLICAS);
    }
}

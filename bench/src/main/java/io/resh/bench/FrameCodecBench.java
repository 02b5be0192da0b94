package io.resh.bench;

import io.resh.replica.Frame;
import io.resh.replica.FrameCodec;
import io.resh.replica.FrameOutput;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Frames per second through {@link FrameCodec}, written in batches of {@value #BATCH} back to back
 * into one buffer (as the host batches requests onto a replica's pipe) and read back. No pipe or
 * process is involved: this is the codec's own cost, the floor under resh's IPC.
 *
 * <ul>
 *   <li>{@code encode}: write a batch.
 *   <li>{@code decode}: read a batch that was written once in setup.
 *   <li>{@code encodeDecode}: write a batch, then read it back.
 *   <li>{@code encodeFrameOutput}: write a batch into a {@link FrameOutput}, as the host's writers and
 *       the replicas do (frames encoded in place into its buffer, no lock per call).
 *   <li>{@code decodeInPlace}: decode a batch straight from the byte array, as the readers do when a
 *       frame is whole in their read-ahead buffer.
 * </ul>
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar FrameCodecBench
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class FrameCodecBench {

    /** Which frame travels: host to replica, or back. */
    public enum Kind {
        REQUEST,
        REPLY
    }

    static final int BATCH = 64;

    @Param({"64", "4096"})
    int payloadBytes;

    @Param({"REQUEST", "REPLY"})
    Kind kind;

    private final FrameCodec codec = new FrameCodec(1 << 20, 1L << 30);
    private final Buffer buffer = new Buffer();
    private final DataOutputStream out = new DataOutputStream(buffer);
    private final FrameOutput frameOut = new FrameOutput(buffer, 1 << 16);
    private Frame[] frames;
    private byte[] encodedBatch;

    @Setup
    public void prepare() throws IOException {
        byte[] payload = new byte[payloadBytes];
        new SplittableRandom(42).nextBytes(payload);
        frames = new Frame[BATCH];
        for (int i = 0; i < BATCH; i++) {
            long sequence = i + 1;
            frames[i] = kind == Kind.REQUEST
                    ? new Frame.Request(sequence, 1_704_067_200_000L + i, sequence * 31, payload)
                    : new Frame.Reply(sequence, FrameCodec.replyBody(FrameCodec.STATUS_OK, payload));
        }
        writeBatch();
        encodedBatch = buffer.toByteArray();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encode() throws IOException {
        writeBatch();
        return buffer.size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decode(Blackhole sink) throws IOException {
        readBatch(new ByteArrayInputStream(encodedBatch), sink);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void encodeDecode(Blackhole sink) throws IOException {
        writeBatch();
        readBatch(buffer.reader(), sink);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int encodeFrameOutput() throws IOException {
        buffer.reset();
        for (Frame frame : frames) {
            codec.write(frameOut, frame);
        }
        frameOut.flush();
        return buffer.size();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeInPlace(Blackhole sink) throws IOException {
        int at = 0;
        for (int i = 0; i < BATCH; i++) {
            sink.consume(codec.decode(encodedBatch, at));
            at += FrameCodec.wholeFrameBytes(encodedBatch, at, encodedBatch.length - at);
        }
    }

    private void writeBatch() throws IOException {
        buffer.reset();
        for (Frame frame : frames) {
            codec.write(out, frame);
        }
        out.flush();
    }

    private void readBatch(ByteArrayInputStream bytes, Blackhole sink) throws IOException {
        DataInputStream in = new DataInputStream(bytes);
        for (int i = 0; i < BATCH; i++) {
            sink.consume(codec.read(in));
        }
    }

    /** A reusable output buffer that can be read back without copying. */
    private static final class Buffer extends ByteArrayOutputStream {
        Buffer() {
            super(BATCH * (4096 + 64));
        }

        ByteArrayInputStream reader() {
            return new ByteArrayInputStream(buf, 0, count);
        }
    }
}

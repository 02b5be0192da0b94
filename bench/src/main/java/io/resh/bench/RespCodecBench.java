package io.resh.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
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
 * Redis commands per second through the gateway's RESP codec ({@code Protocol.named("resp")}): a
 * pipelined batch of {@value #BATCH} commands, as {@code redis-benchmark -P 16} sends them, split into
 * requests and classified, and the replicas' replies measured. No sockets: the codec's own cost, which
 * the gateway pays once per request and once per reply per replica.
 *
 * <ul>
 *   <li>{@code decodeRequests}: split the batch into requests ({@code SET key value} or {@code GET key}).
 *   <li>{@code measureReplies}: find where each reply ends ({@code +OK} or a bulk string of the value).
 * </ul>
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar RespCodecBench -f 1 -wi 2 -i 3
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class RespCodecBench {

    /** Which command travels. */
    public enum Command {
        SET,
        GET
    }

    static final int BATCH = 16;

    @Param({"SET", "GET"})
    Command command;

    @Param({"64", "4096"})
    int valueBytes;

    private final Protocol resp = Protocol.named("resp");
    private ByteBuf requests;
    private ByteBuf replies;
    private Request request;

    @Setup
    public void prepare() {
        String value = "v".repeat(valueBytes);
        StringBuilder in = new StringBuilder();
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            String key = String.format("key:%012d", i);
            if (command == Command.SET) {
                in.append(bulkArray("SET", key, value));
                out.append("+OK\r\n");
            } else {
                in.append(bulkArray("GET", key));
                out.append('$').append(valueBytes).append("\r\n").append(value).append("\r\n");
            }
        }
        requests = Unpooled.copiedBuffer(in, StandardCharsets.US_ASCII);
        replies = Unpooled.copiedBuffer(out, StandardCharsets.US_ASCII);
        Object decoded = resp.decodeRequest(requests.duplicate(), 1 << 20);
        if (!(decoded instanceof Request r)) {
            throw new IllegalStateException("the RESP codec did not take " + command + " as a request: " + decoded);
        }
        request = r;
    }

    private static String bulkArray(String... parts) {
        StringBuilder b = new StringBuilder("*").append(parts.length).append("\r\n");
        for (String p : parts) {
            b.append('$').append(p.length()).append("\r\n").append(p).append("\r\n");
        }
        return b.toString();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void decodeRequests(Blackhole sink) {
        ByteBuf in = requests.duplicate();
        for (int i = 0; i < BATCH; i++) {
            sink.consume(resp.decodeRequest(in, 1 << 20));
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int measureReplies() {
        ByteBuf in = replies.duplicate();
        int total = 0;
        for (int i = 0; i < BATCH; i++) {
            int n = resp.replyLength(in, request, 64 << 20);
            in.skipBytes(n);
            total += n;
        }
        return total;
    }
}

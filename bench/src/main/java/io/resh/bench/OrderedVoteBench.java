package io.resh.bench;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import io.resh.gateway.ordered.BackendLink;
import io.resh.gateway.ordered.Canonicalizer;
import io.resh.gateway.ordered.GroupCallbacks;
import io.resh.gateway.ordered.OrderedMultiplexer;
import io.resh.gateway.ordered.ReplySlot;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
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
 * Requests per second through the gateway's ordered-mode voting path, without sockets: a pipelined
 * batch of {@value #BATCH} RESP requests is sequenced and written to every replica link (which drops
 * the bytes), then each replica's replies are read from one buffer, framed, copied, voted and released
 * to the client's slot, as the gateway does for {@code redis-benchmark -P 16}; what the multiplexer
 * defers to the end of an event-loop task runs after each batch. {@code replicas} 1 is
 * the unreplicated gateway's cost, 3 the TMR gateway's. Replies of 16 KiB or more are voted where they were
 * read, as the gateway does ({@code inPlace}), or copied to the heap first, as it did before.
 *
 * <pre>
 * mvn -q -pl bench -am package -DskipTests
 * java -jar bench/target/benchmarks.jar OrderedVoteBench -f 1 -wi 2 -i 3 -p inPlace=true
 * java -jar bench/target/benchmarks.jar OrderedVoteBench -f 1 -wi 2 -i 3 -p replyBytes=65546   # large, both ways
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class OrderedVoteBench {

    static final int BATCH = 16;

    @Param({"1", "3"})
    int replicas;

    /** {@code 5}: a SET's {@code +OK}; {@code 71}: a GET of a 64-byte value; {@code 65546}: of a 64 KiB one. */
    @Param({"5", "71", "65546"})
    int replyBytes;

    /** Large replies voted in the buffer they were read into; false copies every reply to the heap first. */
    @Param({"true", "false"})
    boolean inPlace;

    private final Protocol resp = Protocol.named("resp");
    private OrderedMultiplexer mux;
    private Link[] links;
    private Request[] requests;
    private ByteBuf replies;
    private Blackhole sink;
    /** The client: takes a reply and lets go of it, as a channel does once it has written it. */
    private ReplySlot slot;
    /** Work the multiplexer defers to the end of the current event-loop task (flushes), run after each batch. */
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    /** A replica link that drops what it is sent. */
    private static final class Link implements BackendLink {
        private final int slot;

        Link(int slot) {
            this.slot = slot;
        }

        @Override
        public int slot() {
            return slot;
        }

        @Override
        public boolean isWritable() {
            return true;
        }

        @Override
        public void write(byte[] bytes) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    }

    @Setup
    public void prepare(Blackhole blackhole) {
        sink = blackhole;
        slot = new ReplySlot() {
            @Override
            public void fill(byte[] reply) {
                sink.consume(reply);
            }

            @Override
            public void fill(ByteBuf reply) {
                sink.consume(reply);
                reply.release();
            }
        };
        GroupCallbacks group = new GroupCallbacks() {
            @Override
            public void fault(int slot, FaultKind kind, long sequence, String evidence) {
                throw new IllegalStateException("replica " + slot + " found faulty in a benchmark: " + evidence);
            }

            @Override
            public void faultWhileIdle(int slot, FaultKind kind, long answeredThrough, String evidence) {
                fault(slot, kind, answeredThrough, evidence);
            }

            @Override
            public void caughtUp(int slot, long sequence, long replayed) {
            }

            @Override
            public void skipped(long sequence, int slots, int processes, String detail) {
                throw new IllegalStateException("request of death in a benchmark: " + detail);
            }

            @Override
            public void unreplayable(long sequence, String request, int replacementsFailed, int executed, int notRebuilt,
                                     boolean serving, String detail) {
                throw new IllegalStateException("unreplayable request in a benchmark: " + detail);
            }

            @Override
            public void failStopped(long sequence, String detail) {
                throw new IllegalStateException("fail-stop in a benchmark: " + detail);
            }
        };
        // No replay log: reads and writes then cost the same, and the log's growth is not measured.
        mux = new OrderedMultiplexer(new Quorum(replicas), resp, new Canonicalizer(resp, List.of()), null, group,
                new OrderedMultiplexer.Settings(Duration.ofSeconds(5), 4096, 4096), System::nanoTime, tasks::add);
        links = new Link[replicas];
        for (int i = 0; i < replicas; i++) {
            links[i] = new Link(i);
            mux.attach(links[i]);
        }
        runTasks();
        int value = replyBytes - 7; // "$" + digits + CRLF + value + CRLF: one digit fewer for each digit the length has
        while (value > 0 && 5 + Integer.toString(value).length() + value > replyBytes) {
            value--;
        }
        String reply = replyBytes <= 5 ? "+OK\r\n" : "$" + value + "\r\n" + "v".repeat(value) + "\r\n";
        if (reply.length() != replyBytes) {
            throw new IllegalArgumentException("replyBytes must be 5 or at least 8, not " + replyBytes);
        }
        requests = new Request[BATCH];
        StringBuilder all = new StringBuilder();
        for (int i = 0; i < BATCH; i++) {
            String key = String.format("key:%012d", i);
            ByteBuf in = Unpooled.copiedBuffer("*2\r\n$3\r\nGET\r\n$" + key.length() + "\r\n" + key + "\r\n",
                    StandardCharsets.US_ASCII);
            requests[i] = (Request) resp.decodeRequest(in, 1 << 20);
            all.append(reply);
        }
        replies = Unpooled.directBuffer(all.length()).writeBytes(all.toString().getBytes(StandardCharsets.US_ASCII));
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void voteBatch() {
        for (Request r : requests) {
            mux.submit(r, slot);
        }
        for (Link link : links) {
            ByteBuf in = replies.duplicate();
            while (in.isReadable()) {
                Request owed = mux.expected(link);
                int length = resp.replyLength(in, owed, 1 << 20);
                if (inPlace && mux.votesInPlace(owed, length)) {
                    mux.onReply(link, in.readRetainedSlice(length));
                } else {
                    byte[] reply = new byte[length];
                    in.readBytes(reply);
                    mux.onReply(link, reply);
                }
            }
        }
        runTasks();
    }

    private void runTasks() {
        Runnable task;
        while ((task = tasks.poll()) != null) {
            task.run();
        }
    }
}

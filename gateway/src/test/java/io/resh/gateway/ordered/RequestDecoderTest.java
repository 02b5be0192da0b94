package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import io.resh.gateway.protocol.RespProtocol;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * How often an incomplete request is parsed again. A framer parses a request from its start each time: parsed on
 * every read, a large request sent a few bytes at a time cost the square of its size on the event loop every client
 * shares (40,000 empty RESP arguments, 240 KB, in 6-byte writes: 40,000 parses and half a minute of CPU).
 */
class RequestDecoderTest {
    private static final int MAX = 1 << 20;

    /** RespProtocol, counting the parses. */
    private static final class CountingResp implements Protocol {
        private final RespProtocol resp = new RespProtocol(System::currentTimeMillis);
        int parses;

        @Override
        public String name() {
            return resp.name();
        }

        @Override
        public Object decodeRequest(ByteBuf in, int maxFrameBytes) {
            parses++;
            return resp.decodeRequest(in, maxFrameBytes);
        }

        @Override
        public int replyLength(ByteBuf in, Request request, int maxReplyBytes) {
            return resp.replyLength(in, request, maxReplyBytes);
        }

        @Override
        public byte[] errorReply(String message) {
            return resp.errorReply(message);
        }
    }

    /** RPUSH l followed by {@code values} empty values: 6 bytes each. */
    private static byte[] manyEmptyValues(int values) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(("*" + (values + 2) + "\r\n$5\r\nRPUSH\r\n$1\r\nl\r\n").getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; i < values; i++) {
            b.writeBytes("$0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        return b.toByteArray();
    }

    @Test
    void shouldParseARequestTricklingInAFewTimesOnceItIsLargeNotOncePerRead() {
        CountingResp resp = new CountingResp();
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(resp, MAX, TimeUnit.SECONDS.toNanos(60)));
        byte[] request = manyEmptyValues(40_000);

        for (int i = 0; i < request.length; i += 6) {
            ch.writeInbound(Unpooled.wrappedBuffer(request, i, Math.min(6, request.length - i)));
        }
        assertThat((Object) ch.readInbound()).as("the last 6 bytes are too few to parse 240 KB again at once").isNull();
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS); // the client waits for its reply: the bytes pause
        ch.runScheduledPendingTasks();

        Request r = ch.readInbound();
        assertThat(r.bytes()).isEqualTo(request);
        // Every read below RESCAN_FLOOR still parses (cheap: at most 16 KiB each), then a few more while it doubles.
        assertThat(resp.parses).isLessThan(RequestDecoder.RESCAN_FLOOR / 6 + 20);
        ch.finishAndReleaseAll();
    }

    /** A client that sends its request whole has it read in one go, and parsed then, not after a pause. */
    @Test
    void shouldParseALargeRequestReadInOneGoAtOnce() {
        CountingResp resp = new CountingResp();
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(resp, MAX, TimeUnit.SECONDS.toNanos(60)));
        byte[] request = manyEmptyValues(40_000);
        int split = request.length * 3 / 4; // read in three pieces, the last a quarter: one read of the socket each

        ch.writeInbound(Unpooled.wrappedBuffer(request, 0, RequestDecoder.RESCAN_FLOOR));
        ch.writeInbound(Unpooled.wrappedBuffer(request, RequestDecoder.RESCAN_FLOOR, split - RequestDecoder.RESCAN_FLOOR));
        ch.writeInbound(Unpooled.wrappedBuffer(request, split, request.length - split));

        Request r = ch.readInbound();
        assertThat(r).as("framed without moving the clock").isNotNull();
        assertThat(r.bytes()).isEqualTo(request);
        ch.finishAndReleaseAll();
    }

    /** Requests behind a large one come out in order, and small requests are framed on every read as before. */
    @Test
    void shouldFrameSmallRequestsOnEveryReadAndKeepTheOrderBehindALargeOne() {
        CountingResp resp = new CountingResp();
        EmbeddedChannel ch = new EmbeddedChannel(new RequestDecoder(resp, MAX, TimeUnit.SECONDS.toNanos(60)));
        byte[] get = "*2\r\n$3\r\nGET\r\n$1\r\nk\r\n".getBytes(StandardCharsets.US_ASCII);
        for (byte b : get) {
            ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {b}));
        }
        assertThat(((Request) ch.readInbound()).bytes()).as("a small request, a byte at a time").isEqualTo(get);

        byte[] large = manyEmptyValues(10_000);
        byte[] both = new byte[large.length + get.length];
        System.arraycopy(large, 0, both, 0, large.length);
        System.arraycopy(get, 0, both, large.length, get.length);
        for (int i = 0; i < both.length; i += 100) {
            ch.writeInbound(Unpooled.wrappedBuffer(both, i, Math.min(100, both.length - i)));
        }
        ch.advanceTimeBy(1, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();

        assertThat(((Request) ch.readInbound()).bytes()).isEqualTo(large);
        assertThat(((Request) ch.readInbound()).bytes()).isEqualTo(get);
        assertThat((Object) ch.readInbound()).isNull();
        ch.finishAndReleaseAll();
    }
}

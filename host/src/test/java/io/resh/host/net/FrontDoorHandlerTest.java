package io.resh.host.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.resh.client.ClientProtocol;
import io.resh.host.ServiceErrorException;
import io.resh.host.testing.ProtocolSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The front door's handler in memory, in front of a sink whose replies the test completes by hand: what
 * reaches the sink per socket read, what is written back and when, and when the handler stops reading.
 */
class FrontDoorHandlerTest {
    private static final int MAX_REQUEST_BYTES = 64;

    /** Records every batch it is given and leaves each reply for the test to complete. */
    private static final class HeldSink implements RequestSink {
        final List<List<String>> batches = new ArrayList<>();
        final List<CompletableFuture<Reply>> replies = new ArrayList<>();

        @Override
        public CompletableFuture<Reply> submit(byte[] request) {
            return submitAll(List.of(request)).get(0);
        }

        @Override
        public List<CompletableFuture<Reply>> submitAll(List<byte[]> requests) {
            batches.add(requests.stream().map(r -> new String(r, StandardCharsets.UTF_8)).toList());
            List<CompletableFuture<Reply>> out = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                out.add(new CompletableFuture<>());
            }
            replies.addAll(out);
            return out;
        }

        void answerAll() {
            replies.forEach(r -> r.complete(Reply.ok("done".getBytes(StandardCharsets.UTF_8))));
        }
    }

    private final HeldSink sink = new HeldSink();
    private final EmbeddedChannel channel = new EmbeddedChannel(
            new LengthFieldBasedFrameDecoder(MAX_REQUEST_BYTES + 8, 0, 4, 0, 4, true),
            new FrontDoorHandler(sink, MAX_REQUEST_BYTES));

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    /** Everything in {@code frames} arrives in one socket read. */
    private void read(byte[]... frames) {
        ByteBuf in = Unpooled.buffer();
        for (byte[] f : frames) {
            in.writeBytes(f);
        }
        channel.writeInbound(in);
    }

    private List<ProtocolSocket.Frame> written() {
        List<ProtocolSocket.Frame> out = new ArrayList<>();
        for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
            while (b.isReadable()) {
                int length = b.readInt();
                long id = b.readLong();
                byte status = b.readByte();
                out.add(new ProtocolSocket.Frame(id, status, b.readCharSequence(length - 9, StandardCharsets.UTF_8).toString()));
            }
            b.release();
        }
        return out;
    }

    @Test
    void shouldSubmitTheRequestsOfOneReadAsOneBatch() {
        read(ProtocolSocket.request(1, "a"), ProtocolSocket.request(2, "b"), ProtocolSocket.request(3, "c"));
        read(ProtocolSocket.request(4, "d"));

        assertThat(sink.batches).containsExactly(List.of("a", "b", "c"), List.of("d"));
        sink.answerAll();
        channel.runPendingTasks();
        assertThat(written()).extracting(ProtocolSocket.Frame::id).containsExactly(1L, 2L, 3L, 4L);
    }

    @Test
    void shouldAnswerTheRequestsReadBeforeAMalformedFrameBeforeRejectingIt() {
        read(ProtocolSocket.request(1, "a"), ProtocolSocket.request(2, "b"), ProtocolSocket.malformed(),
                ProtocolSocket.request(3, "after"));

        assertThat(sink.batches).as("the request after the bad frame is not run").containsExactly(List.of("a", "b"));
        channel.runPendingTasks();
        assertThat(written()).as("nothing until the earlier requests are answered").isEmpty();
        assertThat(channel.isOpen()).isTrue();
        read(ProtocolSocket.request(4, "later"));
        assertThat(sink.batches).as("nor is one read later").hasSize(1);

        sink.answerAll();
        channel.runPendingTasks();
        List<ProtocolSocket.Frame> out = written();
        assertThat(out).extracting(ProtocolSocket.Frame::id).containsExactly(1L, 2L, 0L);
        assertThat(out.get(2).status()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
        assertThat(out.get(2).text()).isEqualTo(
                "malformed request frame: 3 bytes after the length field, at least 8 (the correlation id) are required");
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void shouldRejectAnOversizedFrameAtOnceWhenNothingIsOutstanding() {
        read(new byte[] {0, 0, 0, (byte) (MAX_REQUEST_BYTES + 9)}, new byte[8]);
        channel.runPendingTasks();

        List<ProtocolSocket.Frame> out = written();
        assertThat(out).singleElement().satisfies(f -> {
            assertThat(f.id()).isZero();
            assertThat(f.status()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
            assertThat(f.text()).isEqualTo("request frame exceeds the limit of 64 bytes (maxRequestBytes)");
        });
        assertThat(channel.isOpen()).isFalse();
        assertThat(sink.batches).isEmpty();
    }

    @Test
    void shouldAnswerAFailedRequestWithTheStatusOfItsFailure() {
        read(ProtocolSocket.request(7, "x"), ProtocolSocket.request(8, "y"));
        sink.replies.get(0).completeExceptionally(new CompletionException(new ServiceErrorException(1, "no such key")));
        sink.replies.get(1).completeExceptionally(new IllegalStateException("group closed"));
        channel.runPendingTasks();

        assertThat(written()).containsExactly(
                new ProtocolSocket.Frame(7, ClientProtocol.STATUS_SERVICE_ERROR, "no such key"),
                new ProtocolSocket.Frame(8, ClientProtocol.STATUS_UNAVAILABLE, "group closed"));
    }

    @Test
    void shouldStopReadingAtTheInFlightLimitAndResumeBelowHalfOfIt() {
        int limit = FrontDoorHandler.MAX_IN_FLIGHT_PER_CONNECTION;
        byte[][] frames = new byte[limit][];
        for (int i = 0; i < limit; i++) {
            frames[i] = ProtocolSocket.request(i + 1, "r");
        }
        read(frames);
        assertThat(channel.config().isAutoRead()).isFalse();

        for (int i = 0; i < limit / 2; i++) {
            sink.replies.get(i).complete(Reply.ok(new byte[0]));
        }
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("half of the limit still outstanding").isFalse();

        sink.replies.get(limit / 2).complete(Reply.ok(new byte[0]));
        channel.runPendingTasks();
        assertThat(channel.config().isAutoRead()).as("fewer than half outstanding").isTrue();
        assertThat(written()).hasSize(limit / 2 + 1);
    }
}

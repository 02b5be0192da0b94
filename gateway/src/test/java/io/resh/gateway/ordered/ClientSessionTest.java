package io.resh.gateway.ordered;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resh.gateway.protocol.Request;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One client's reply order, with replies given as bytes and as held buffers, on an embedded channel. */
class ClientSessionTest {
    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final ClientSession session = new ClientSession(channel, () -> { });

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private static Request request(boolean closeAfter) {
        return new Request(new byte[0], "get", true, 0, false, closeAfter);
    }

    private static ByteBuf held(byte[] bytes) {
        ByteBuf buf = PooledByteBufAllocator.DEFAULT.directBuffer(bytes.length);
        return buf.writeBytes(bytes);
    }

    private static byte[] filled(int length, char c) {
        byte[] b = new byte[length];
        Arrays.fill(b, (byte) c);
        return b;
    }

    /** Everything the channel wrote so far, its buffers released. */
    private byte[] written() {
        channel.runPendingTasks(); // the scheduled flush
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteBuf b;
        while ((b = channel.readOutbound()) != null) {
            out.writeBytes(ByteBufUtil.getBytes(b));
            b.release();
        }
        return out.toByteArray();
    }

    @Test
    void shouldWriteHeldRepliesInRequestOrderAndLetGoOfThem() {
        ReplySlot first = session.expect(request(false));
        ReplySlot second = session.expect(request(false));
        ReplySlot third = session.expect(request(false));
        byte[] small = filled(20_000, 's'); // copied into the batch
        byte[] big = filled(100_000, 'b'); // handed to the channel as it is
        ByteBuf smallHeld = held(small);
        ByteBuf bigHeld = held(big);
        third.fill(bigHeld);
        second.fill(smallHeld);
        assertThat(written()).as("nothing before the first reply").isEmpty();
        first.fill("+OK\r\n".getBytes(StandardCharsets.US_ASCII));

        ByteArrayOutputStream expected = new ByteArrayOutputStream();
        expected.writeBytes("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
        expected.writeBytes(small);
        expected.writeBytes(big);
        assertThat(written()).isEqualTo(expected.toByteArray());
        assertThat(smallHeld.refCnt()).isZero();
        assertThat(bigHeld.refCnt()).isZero();
        assertThat(session.outstanding()).isZero();
    }

    @Test
    void shouldLetGoOfAHeldReplyThatComesAfterTheConnectionBeganClosing() {
        ReplySlot last = session.expect(request(true));
        ReplySlot after = session.expect(request(false));
        last.fill("bye\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(session.closing()).isTrue();
        ByteBuf late = held(filled(30_000, 'x'));
        after.fill(late);
        assertThat(late.refCnt()).as("never written: nobody would release it").isZero();
        assertThat(new String(written(), StandardCharsets.US_ASCII)).isEqualTo("bye\n");
    }

    @Test
    void shouldLetGoOfAHeldReplyFilledTwice() {
        ReplySlot slot = session.expect(request(false));
        ByteBuf second = held(filled(20_000, 'y'));
        slot.fill("+OK\r\n".getBytes(StandardCharsets.US_ASCII));
        slot.fill(second);
        assertThat(second.refCnt()).isZero();
    }
}

package io.resh.gateway.protocol;

import static io.resh.gateway.protocol.Decoding.bytes;
import static io.resh.gateway.protocol.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.buffer.Unpooled;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemcachedProtocolTest {
    private final MemcachedProtocol mc = new MemcachedProtocol(() -> 1_700_000_000_000L);

    @Test
    void shouldFrameStorageCommandsWithTheirDataSplitAtEveryByte() {
        String input = "set k 5 0 7\r\nab\r\ncd\0\r\nget k other\r\nincr n 2\r\n";
        List<Object> out = Decoding.requests(mc, input, 1);
        assertThat(out).hasSize(3);
        Request set = Decoding.request(out.get(0));
        assertThat(text(set.bytes())).isEqualTo("set k 5 0 7\r\nab\r\ncd\0\r\n");
        assertThat(set.readOnly()).isFalse();
        assertThat(Decoding.request(out.get(1)).readOnly()).isTrue();
        assertThat(Decoding.request(out.get(1)).shape()).isEqualTo(MemcachedProtocol.RETRIEVAL);
        assertThat(text(Decoding.request(out.get(2)).bytes())).isEqualTo("incr n 2\r\n");
    }

    /**
     * "noreply" alone was taken as a silent command and forwarded as an empty line: the servers' ERROR to it, which
     * the gateway expected no reply for, would have answered the client's next request.
     */
    @Test
    void shouldForwardNoreplyAloneAsTheCommandItIs() {
        Request r = Decoding.request(Decoding.requests(mc, " noreply\r\n", 64).get(0));
        assertThat(r.silent()).isFalse();
        assertThat(text(r.bytes())).as("its tokens, as every line is forwarded").isEqualTo("noreply\r\n");
    }

    @Test
    void shouldStripNoreplySoEveryReplicaStillAnswersAndStampRelativeExpiry() {
        Request r = Decoding.request(Decoding.requests(mc, "set k 0 60 1 noreply\r\nx\r\n", 2).get(0));
        assertThat(r.silent()).isTrue();
        assertThat(text(r.bytes())).isEqualTo("set k 0 1700000060 1\r\nx\r\n");
        Request touch = Decoding.request(Decoding.requests(mc, "touch k 10\r\n", 64).get(0));
        assertThat(text(touch.bytes())).isEqualTo("touch k 1700000010\r\n");
        Request flush = Decoding.request(Decoding.requests(mc, "flush_all 10 noreply\r\n", 64).get(0));
        assertThat(text(flush.bytes())).as("a delayed flush_all, replayed later, must flush at the same time")
                .isEqualTo("flush_all 1700000010\r\n");
        assertThat(text(Decoding.request(Decoding.requests(mc, "flush_all\r\n", 64).get(0)).bytes()))
                .isEqualTo("flush_all\r\n");
        Request absolute = Decoding.request(Decoding.requests(mc, "set k 0 1800000000 1\r\nx\r\n", 64).get(0));
        assertThat(text(absolute.bytes())).as("absolute times stay").isEqualTo("set k 0 1800000000 1\r\nx\r\n");
    }

    @Test
    void shouldRefuseStatsAndCloseOnBadDataChunks() {
        LocalReply stats = (LocalReply) Decoding.requests(mc, "stats\r\n", 1).get(0);
        assertThat(text(stats.bytes())).startsWith("SERVER_ERROR resh: 'stats' is not supported");
        LocalReply meta = (LocalReply) Decoding.requests(mc, "mg foo v\r\n", 1).get(0);
        assertThat(text(meta.bytes())).as("refused for what it is, not for differing answers")
                .startsWith("SERVER_ERROR resh: 'mg' is not supported").contains("not the meta commands");
        LocalReply bad = (LocalReply) Decoding.requests(mc, "set k 0 0 2\r\nabc\r\n", 1).get(0);
        // the client's mistake, as memcached says it: SERVER_ERROR had client libraries blame the server
        assertThat(text(bad.bytes())).startsWith("CLIENT_ERROR resh: ").contains("bad data chunk");
        assertThat(bad.close()).isTrue();
        LocalReply huge = (LocalReply) Decoding.requests(mc, bytes("set k 0 0 5000\r\n"), 3, 1024).get(0);
        assertThat(text(huge.bytes())).startsWith("CLIENT_ERROR resh: ").contains("exceeds the limit of 1024 bytes");
        LocalReply malformed = (LocalReply) Decoding.requests(mc, "set k\r\n", 1).get(0);
        assertThat(text(malformed.bytes())).isEqualTo("CLIENT_ERROR resh: bad command line format for 'set'\r\n");
        LocalReply quit = (LocalReply) Decoding.requests(mc, "quit\r\n", 1).get(0);
        assertThat(quit.close()).isTrue();
        assertThat(quit.bytes()).isEmpty();
    }

    @Test
    void shouldRefuseADataLengthNearTheLargestLong() {
        // The request's total length overflowed: one such length read outside the buffer, the other forwarded the
        // command without its data block, so every replica would have taken the next requests as its data.
        for (String n : new String[] {"9223372036854775776", "9223372036854775806"}) {
            List<Object> out = Decoding.requests(mc, bytes("set k 0 0 " + n + "\r\nget k\r\n"), 64, 1024);
            assertThat(out).as(n).hasSize(1);
            assertThat(text(((LocalReply) out.get(0)).bytes())).as(n).startsWith("CLIENT_ERROR resh: request of ")
                    .contains("exceeds the limit of 1024 bytes");
        }
    }

    @Test
    void shouldRefuseAValueLengthNearTheLargestLong() {
        // The end of the value overflowed back to the start of its own VALUE line, which was then read again forever.
        Request get = Request.of(bytes("get k\r\n"), "get", true, MemcachedProtocol.RETRIEVAL);
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> assertThatThrownBy(() ->
                mc.replyLength(Unpooled.wrappedBuffer(bytes("VALUE k 0 9223372036854775775\r\n")), get, 1024))
                .isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit of 1024 bytes"));
        assertThatThrownBy(() -> mc.replyLength(Unpooled.wrappedBuffer(bytes("VALUE k 0 -3\r\nab\r\nEND\r\n")), get, 1024))
                .isInstanceOf(FrameException.class).hasMessageContaining("negative length");
    }

    @Test
    void shouldFrameRetrievalAndLineRepliesSplitAtEveryByte() {
        Request get = Request.of(bytes("get a b\r\n"), "get", true, MemcachedProtocol.RETRIEVAL);
        Request set = Request.of(bytes("set a 0 0 1\r\nx\r\n"), "set", false, MemcachedProtocol.LINE);
        List<String> replies = List.of("VALUE a 0 3\r\nEND\r\nVALUE b 1 2 99\r\nhi\r\nEND\r\n".substring(0, 0)
                + "VALUE a 0 5\r\nEND\r\n\r\nVALUE b 1 2 99\r\nhi\r\nEND\r\n", "STORED\r\n", "END\r\n", "SERVER_ERROR out of memory\r\n");
        List<Request> reqs = List.of(get, set, get, get);
        assertThat(Decoding.replies(mc, reqs, bytes(String.join("", replies)), 1, 1 << 20)).isEqualTo(replies);
    }
}

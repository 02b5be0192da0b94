package io.resh.gateway.protocol;

import static io.resh.gateway.protocol.Decoding.bytes;
import static io.resh.gateway.protocol.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class RespProtocolTest {
    private final RespProtocol resp = new RespProtocol(() -> 1_000_000L);
    private static final String PIPELINE = "*3\r\n$3\r\nSET\r\n$3\r\nk\u00ff\0\r\n$5\r\nhe\r\no\r\n*2\r\n$3\r\nGET\r\n$3\r\nk\u00ff\0\r\nPING\r\n";

    @Test
    void shouldDecodeAPipelineSplitAtEveryByte() {
        List<Object> whole = Decoding.requests(resp, PIPELINE, PIPELINE.length());
        List<Object> split = Decoding.requests(resp, PIPELINE, 1);
        assertThat(split).hasSize(3);
        for (int i = 0; i < 3; i++) {
            assertThat(Decoding.request(split.get(i)).bytes()).isEqualTo(Decoding.request(whole.get(i)).bytes());
        }
        Request set = Decoding.request(split.get(0));
        assertThat(set.name()).isEqualTo("SET");
        assertThat(set.readOnly()).isFalse();
        assertThat(text(set.bytes())).isEqualTo("*3\r\n$3\r\nSET\r\n$3\r\nk\u00ff\0\r\n$5\r\nhe\r\no\r\n");
        assertThat(Decoding.request(split.get(1)).readOnly()).isTrue();
        assertThat(text(Decoding.request(split.get(2)).bytes())).as("inline PING becomes an array").isEqualTo("*1\r\n$4\r\nPING\r\n");
    }

    @Property(tries = 200)
    void shouldDecodeTheSameRequestsHoweverTheBytesAreChunked(@ForAll @IntRange(min = 1, max = 40) int chunk) {
        List<Object> split = Decoding.requests(resp, PIPELINE + PIPELINE, chunk);
        assertThat(split).hasSize(6);
        assertThat(split).allMatch(m -> m instanceof Request);
    }

    @Test
    void shouldSplitInlineCommandsLikeRedis() {
        Request r = Decoding.request(Decoding.requests(resp, "set \"a b\" 'it\\'s' \"\\x41\\n\"\r\n", 1).get(0));
        assertThat(text(r.bytes())).isEqualTo("*4\r\n$3\r\nset\r\n$3\r\na b\r\n$4\r\nit's\r\n$2\r\nA\n\r\n");
    }

    @Test
    void shouldRefuseCommandsThatCannotShareTheOrderedConnection() {
        for (String cmd : new String[] {"BLPOP q 0", "SUBSCRIBE news", "MULTI", "SELECT 1", "SPOP s", "XADD s * f v",
                "XREAD BLOCK 0 STREAMS s $", "DEBUG SEGFAULT", "CLIENT SETNAME x", "SCAN 0"}) {
            List<Object> out = Decoding.requests(resp, cmd + "\r\n", 1);
            assertThat(out).as(cmd).hasSize(1).first().isInstanceOf(LocalReply.class);
            LocalReply reply = (LocalReply) out.get(0);
            assertThat(text(reply.bytes())).as(cmd).startsWith("-ERR resh: '").contains("not supported through the replicating gateway");
            assertThat(reply.close()).isFalse();
        }
        assertThat(Decoding.requests(resp, "XADD s 1-1 f v\r\n", 64).get(0)).isInstanceOf(Request.class);
        assertThat(Decoding.requests(resp, "SELECT 0\r\n", 64).get(0)).as("the only database there is").isInstanceOf(Request.class);
    }

    @Test
    void shouldAnswerQuitItselfAndClose() {
        LocalReply quit = (LocalReply) Decoding.requests(resp, "*1\r\n$4\r\nQUIT\r\n", 3).get(0);
        assertThat(text(quit.bytes())).isEqualTo("+OK\r\n");
        assertThat(quit.close()).isTrue();
    }

    @Test
    void shouldRejectAnOversizedBulkBeforeBufferingIt() {
        List<Object> out = Decoding.requests(resp, bytes("*2\r\n$3\r\nGET\r\n$999999999\r\nxx*1\r\n$4\r\nPING\r\n"), 7, 1024);
        assertThat(out).hasSize(1);
        LocalReply reply = (LocalReply) out.get(0);
        // the setting to raise named, as the frameTimeout message names its own
        assertThat(text(reply.bytes())).startsWith("-ERR resh: request of ").contains("exceeds the limit of 1024 bytes (maxFrameBytes)");
        assertThat(reply.close()).as("the stream cannot be resynchronized").isTrue();
    }

    @Test
    void shouldRejectABulkLengthNearTheLargestLong() {
        // The bulk string's end overflowed to a negative index: the request was taken as complete with an argument
        // reaching outside its bytes, and classifying it threw instead of answering the client.
        List<Object> out = Decoding.requests(resp, bytes("*2\r\n$3\r\nGET\r\n$9223372036854775775\r\n"), 64, 1024);
        assertThat(out).hasSize(1);
        assertThat(text(((LocalReply) out.get(0)).bytes())).startsWith("-ERR resh: request of ")
                .contains("exceeds the limit of 1024 bytes (maxFrameBytes)");
    }

    @Test
    void shouldRejectAMultibulkLengthOverTheLargestLong() {
        // Parsed with overflow into a negative length, it was taken for an empty request and silently dropped.
        List<Object> out = Decoding.requests(resp, bytes("*9223372036854775808\r\nPING\r\n"), 64, 1024);
        assertThat(out).hasSize(1);
        assertThat(text(((LocalReply) out.get(0)).bytes())).contains("invalid multibulk length '9223372036854775808'");
    }

    @Test
    void shouldRejectMalformedAndTruncatedFramesClearly() {
        LocalReply bad = (LocalReply) Decoding.requests(resp, "*2\r\n:3\r\n", 1).get(0);
        assertThat(text(bad.bytes())).contains("Protocol error: expected '$', got ':'");
        LocalReply badLength = (LocalReply) Decoding.requests(resp, "*x\r\n", 1).get(0);
        assertThat(text(badLength.bytes())).contains("invalid multibulk length");
        assertThat(Decoding.requests(resp, "*2\r\n$3\r\nGET\r\n$3\r\nke", 1)).as("truncated: waits").isEmpty();
        LocalReply quotes = (LocalReply) Decoding.requests(resp, "SET \"a b\r\n", 1).get(0);
        assertThat(text(quotes.bytes())).contains("unbalanced quotes");
    }

    @Test
    void shouldStampRelativeExpirationsWithTheGatewayClock() {
        assertThat(args("SET k v EX 10")).isEqualTo(List.of("SET", "k", "v", "PXAT", "1010000"));
        assertThat(args("SET k v NX PX 250")).isEqualTo(List.of("SET", "k", "v", "NX", "PXAT", "1000250"));
        assertThat(args("SETEX k 5 v")).isEqualTo(List.of("SET", "k", "v", "PXAT", "1005000"));
        assertThat(args("PSETEX k 5 v")).isEqualTo(List.of("SET", "k", "v", "PXAT", "1000005"));
        assertThat(args("EXPIRE k 7 NX")).isEqualTo(List.of("PEXPIREAT", "k", "1007000", "NX"));
        assertThat(args("GETEX k PX 3")).isEqualTo(List.of("GETEX", "k", "PXAT", "1000003"));
        assertThat(args("SET k v EX -1")).as("Redis reports invalid times itself").isEqualTo(List.of("SET", "k", "v", "EX", "-1"));
        assertThat(args("EXPIRE k abc")).isEqualTo(List.of("EXPIRE", "k", "abc"));
    }

    @Test
    void shouldStampArrayRequestsAndReadTheClockOnlyWhenItStamps() {
        AtomicInteger clockReads = new AtomicInteger();
        RespProtocol counted = new RespProtocol(() -> {
            clockReads.incrementAndGet();
            return 1_000_000L;
        });
        String plain = "*3\r\n$3\r\nSET\r\n$2\r\nk\0\r\n$3\r\nv\r\n\r\n*2\r\n$3\r\nget\r\n$2\r\nk\0\r\n";
        List<Object> out = Decoding.requests(counted, plain, 3);
        assertThat(out).hasSize(2);
        assertThat(text(Decoding.request(out.get(0)).bytes())).isEqualTo("*3\r\n$3\r\nSET\r\n$2\r\nk\0\r\n$3\r\nv\r\n\r\n");
        assertThat(Decoding.request(out.get(1)).name()).isEqualTo("GET");
        assertThat(Decoding.request(out.get(1)).readOnly()).isTrue();
        assertThat(clockReads).as("nothing to stamp").hasValue(0);
        Request stamped = Decoding.request(Decoding.requests(counted,
                "*5\r\n$3\r\nset\r\n$2\r\nk\0\r\n$1\r\nv\r\n$2\r\nex\r\n$2\r\n10\r\n", 4).get(0));
        assertThat(text(stamped.bytes())).isEqualTo("*5\r\n$3\r\nset\r\n$2\r\nk\0\r\n$1\r\nv\r\n$4\r\nPXAT\r\n$7\r\n1010000\r\n");
        assertThat(clockReads).hasValue(1);
    }

    private List<String> args(String inline) {
        Request r = Decoding.request(Decoding.requests(resp, inline + "\r\n", 5).get(0));
        List<String> out = new ArrayList<>();
        String[] parts = text(r.bytes()).split("\r\n");
        for (int i = 2; i < parts.length; i += 2) {
            out.add(parts[i]);
        }
        return out;
    }

    @Test
    void shouldFrameEveryReplyTypeSplitAtEveryByte() {
        List<String> replies = List.of("+OK\r\n", "-ERR wrong\r\n", ":42\r\n", "$5\r\nhe\r\no\r\n", "$-1\r\n", "*-1\r\n",
                "*2\r\n*1\r\n:1\r\n$0\r\n\r\n", "%1\r\n+a\r\n,1.5\r\n", "_\r\n", "|1\r\n+k\r\n+v\r\n#t\r\n", "*0\r\n");
        List<Request> reqs = Collections.nCopies(replies.size(), Request.of(new byte[0], "X", false, 0));
        byte[] stream = bytes(String.join("", replies));
        assertThat(Decoding.replies(resp, reqs, stream, 1, 1 << 20)).isEqualTo(replies);
        assertThat(Decoding.replies(resp, reqs, stream, stream.length, 1 << 20)).isEqualTo(replies);
    }

    @Test
    void shouldRejectGarbageRepliesAndBoundNesting() {
        Request r = Request.of(new byte[0], "GET", true, 0);
        assertThatThrownBy(() -> resp.replyLength(Unpooled.wrappedBuffer(bytes("?what\r\n")), r, 1024))
                .isInstanceOf(FrameException.class).hasMessageContaining("unexpected RESP type byte '?'");
        assertThatThrownBy(() -> resp.replyLength(Unpooled.wrappedBuffer(bytes("$99999\r\n")), r, 1024))
                .isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit of 1024 bytes");
        byte[] deep = bytes("*1\r\n".repeat(100_000));
        assertThatThrownBy(() -> resp.replyLength(Unpooled.wrappedBuffer(deep), r, 1024)).isInstanceOf(FrameException.class);
    }

    @Test
    void shouldRejectReplyLengthsNearTheLargestLong() {
        // Twice the map's length overflowed to a negative count of elements still owed, so its header alone was
        // measured as a complete reply and the rest of the stream was taken as the replies to later requests.
        Request r = Request.of(new byte[0], "HGETALL", true, 0);
        assertThatThrownBy(() -> resp.replyLength(Unpooled.wrappedBuffer(bytes("%4611686018427387904\r\n")), r, 1024))
                .isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit of 1024 bytes");
        assertThatThrownBy(() -> resp.replyLength(Unpooled.wrappedBuffer(bytes("$9223372036854775800\r\nab\r\n")), r, 1024))
                .isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit of 1024 bytes");
    }

    @Test
    void shouldCompareSetRepliesRegardlessOfElementOrder() {
        Request keys = Decoding.request(Decoding.requests(resp, "KEYS *\r\n", 64).get(0));
        byte[] a = bytes("*3\r\n$1\r\nb\r\n$1\r\na\r\n$1\r\nc\r\n");
        byte[] b = bytes("*3\r\n$1\r\nc\r\n$1\r\nb\r\n$1\r\na\r\n");
        assertThat(resp.canonicalize(keys, a)).isEqualTo(resp.canonicalize(keys, b));
        Request hgetall = Decoding.request(Decoding.requests(resp, "HGETALL h\r\n", 64).get(0));
        byte[] h1 = bytes("*4\r\n$1\r\nx\r\n$1\r\n1\r\n$1\r\ny\r\n$1\r\n2\r\n");
        byte[] h2 = bytes("*4\r\n$1\r\ny\r\n$1\r\n2\r\n$1\r\nx\r\n$1\r\n1\r\n");
        byte[] wrong = bytes("*4\r\n$1\r\ny\r\n$1\r\n1\r\n$1\r\nx\r\n$1\r\n2\r\n");
        assertThat(resp.canonicalize(hgetall, h1)).isEqualTo(resp.canonicalize(hgetall, h2));
        assertThat(resp.canonicalize(hgetall, h1)).as("pairs stay pairs").isNotEqualTo(resp.canonicalize(hgetall, wrong));
        Request get = Decoding.request(Decoding.requests(resp, "LRANGE l 0 -1\r\n", 64).get(0));
        assertThat(resp.canonicalize(get, a)).as("ordered replies stay ordered").isNotEqualTo(resp.canonicalize(get, b));
    }

    /** Only replies compared as they are may be voted on where they were read (large ones are). */
    @Test
    void shouldCallOnlyOrderedRepliesVerbatim() {
        for (String command : List.of("KEYS *", "HGETALL h", "SMEMBERS s")) {
            assertThat(resp.verbatim(Decoding.request(Decoding.requests(resp, command + "\r\n", 64).get(0))))
                    .as(command).isFalse();
        }
        for (String command : List.of("LRANGE l 0 -1", "GET k", "MGET a b")) {
            assertThat(resp.verbatim(Decoding.request(Decoding.requests(resp, command + "\r\n", 64).get(0))))
                    .as(command).isTrue();
        }
    }
}

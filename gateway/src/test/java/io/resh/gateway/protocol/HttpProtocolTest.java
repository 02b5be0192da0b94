package io.resh.gateway.protocol;

import static io.resh.gateway.protocol.Decoding.bytes;
import static io.resh.gateway.protocol.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

class HttpProtocolTest {
    private final HttpProtocol http = new HttpProtocol();

    @Test
    void shouldForwardWholeRequestsWithoutHopByHopHeadersSplitAtEveryByte() {
        String input = "POST /items?x=1 HTTP/1.1\r\nHost: h\r\nConnection: keep-alive, X-Drop\r\nX-Drop: 1\r\nContent-Length: 5\r\n\r\nhello"
                + "GET /items HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
        List<Object> out = Decoding.requests(http, input, 1);
        assertThat(out).hasSize(2);
        Request post = Decoding.request(out.get(0));
        assertThat(text(post.bytes())).isEqualTo("POST /items?x=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
        assertThat(post.readOnly()).isFalse();
        assertThat(post.closeAfter()).isFalse();
        Request get = Decoding.request(out.get(1));
        assertThat(get.readOnly()).isTrue();
        assertThat(get.closeAfter()).isTrue();
        assertThat(text(get.bytes())).doesNotContain("Connection");
    }

    @Test
    void shouldFrameChunkedRequestBodies() {
        String input = "PUT /k HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n";
        Request put = Decoding.request(Decoding.requests(http, input, 1).get(0));
        assertThat(text(put.bytes())).endsWith("3;ext=1\r\nabc\r\n0\r\nTrailer: t\r\n\r\n");
    }

    @Test
    void shouldRefuseSmugglingUpgradesAndOversizedBodies() {
        LocalReply both = (LocalReply) Decoding.requests(http, "POST / HTTP/1.1\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 1).get(0);
        assertThat(text(both.bytes())).startsWith("HTTP/1.1 400 Bad Request").contains("both Transfer-Encoding and Content-Length");
        assertThat(both.close()).isTrue();
        LocalReply upgrade = (LocalReply) Decoding.requests(http, "GET /ws HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n", 5).get(0);
        assertThat(text(upgrade.bytes())).startsWith("HTTP/1.1 501");
        LocalReply big = (LocalReply) Decoding.requests(http, bytes("POST / HTTP/1.1\r\nContent-Length: 99999\r\n\r\n"), 9, 4096).get(0);
        assertThat(text(big.bytes())).startsWith("HTTP/1.1 413").contains("exceeds the limit of 4096 bytes (maxFrameBytes)");
        LocalReply version = (LocalReply) Decoding.requests(http, "GET / HTTP/2.0\r\n\r\n", 1).get(0);
        assertThat(text(version.bytes())).startsWith("HTTP/1.1 505");
    }

    @Test
    void shouldSendOneContinueWhileTheBodyIsOutstanding() {
        List<Object> out = Decoding.requests(http, "PUT /k HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nab", 1);
        assertThat(out).hasSize(1).first().isInstanceOf(HttpProtocol.Interim.class);
    }

    @Test
    void shouldFrameResponsesByLengthChunksAndStatusSplitAtEveryByte() {
        Request get = Request.of(bytes("GET / HTTP/1.1\r\n\r\n"), "GET /", true, 0);
        Request head = Request.of(bytes("HEAD / HTTP/1.1\r\n\r\n"), "HEAD /", true, HttpProtocol.HEAD_REQUEST);
        List<String> replies = List.of(
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi",
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\nX-T: 1\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n",
                "HTTP/1.1 204 No Content\r\n\r\n",
                "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n");
        List<Request> reqs = List.of(get, get, head, get, get);
        assertThat(Decoding.replies(http, reqs, bytes(String.join("", replies)), 1, 1 << 20)).isEqualTo(replies);
    }

    @Test
    void shouldMaskTheDateHeaderWhenComparing() {
        Request get = Request.of(bytes("GET / HTTP/1.1\r\n\r\n"), "GET /", true, 0);
        byte[] a = bytes("HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\nContent-Length: 1\r\n\r\nx");
        byte[] b = bytes("HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:01 GMT\r\nContent-Length: 1\r\n\r\nx");
        byte[] c = bytes("HTTP/1.1 200 OK\r\nDate: Mon, 01 Jan 2024 00:00:01 GMT\r\nContent-Length: 1\r\n\r\ny");
        assertThat(http.canonicalize(get, a)).isEqualTo(http.canonicalize(get, b));
        assertThat(http.canonicalize(get, a)).isNotEqualTo(http.canonicalize(get, c));
    }

    @Test
    void shouldTellTheClientAboutACloseAndDechunkForHttp10() {
        Request close = Decoding.request(Decoding.requests(http, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n", 64).get(0));
        byte[] reply = bytes("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx");
        assertThat(text(http.toClient(close, reply))).isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nConnection: close\r\n\r\nx");
        Request old = Decoding.request(Decoding.requests(http, "GET / HTTP/1.0\r\n\r\n", 64).get(0));
        assertThat(text(old.bytes())).as("1.0 requests reach the server as 1.1 with a Host").isEqualTo("GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
        byte[] chunked = bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nab\r\n1\r\nc\r\n0\r\n\r\n");
        assertThat(text(http.toClient(old, chunked)))
                .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
    }

    @Test
    void shouldRefuseASignedChunkSize() {
        // Parsed as a signed number, "-0" ended the body and "+5" framed five bytes: the request went to the replicas
        // framed as the gateway read it, where a server reading RFC 9112 refuses it and drops the shared connection.
        for (String size : new String[] {"-0", "+5"}) {
            List<Object> out = Decoding.requests(http, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n" + size
                    + "\r\nhello\r\n0\r\n\r\n", 64);
            assertThat(out).as(size).hasSize(1);
            assertThat(text(((LocalReply) out.get(0)).bytes())).as(size).startsWith("HTTP/1.1 400 Bad Request")
                    .contains("invalid chunk size '" + size + "'");
        }
    }

    @Test
    void shouldRefuseABareCarriageReturnInTheHead() {
        // Taken as part of a header value, it was forwarded as sent: a server that ends lines at a bare CR too would
        // have read a Content-Length the gateway never framed by, and taken the next client's request as this body.
        List<Object> out = Decoding.requests(http, "POST / HTTP/1.1\r\nX-Note: a\rContent-Length: 5\r\n\r\nGET / HTTP/1.1\r\n\r\n", 64);
        assertThat(out).hasSize(1);
        assertThat(text(((LocalReply) out.get(0)).bytes())).startsWith("HTTP/1.1 400 Bad Request").contains("bare CR");
    }

    /** Chunked must be the last coding of a response: "xchunked" was taken for it, as it ends with those letters. */
    @Test
    void shouldTakeOnlyChunkedAsTheLastCodingOfAResponse() {
        Request get = Request.of(bytes("GET / HTTP/1.1\r\n\r\n"), "GET /", true, 0);
        String body = "\r\n\r\n2\r\nab\r\n0\r\n\r\n";
        String gzipped = "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked" + body;
        assertThat(http.replyLength(Unpooled.wrappedBuffer(bytes(gzipped)), get, 1 << 20)).isEqualTo(gzipped.length());
        assertThatThrownBy(() -> http.replyLength(Unpooled.wrappedBuffer(bytes("HTTP/1.1 200 OK\r\nTransfer-Encoding:"
                + " xchunked" + body)), get, 1 << 20)).isInstanceOf(FrameException.class)
                .hasMessage("response Transfer-Encoding 'xchunked' is not chunked");
    }

    @Test
    void shouldRefuseInterimResponsesPastTheLimit() {
        // Each head was held to the limit from its own start only, so a server could fill the gateway's buffer
        // with 100 Continue responses, and a 204 after them was measured as a reply longer than maxReplyBytes.
        Request head = Request.of(bytes("HEAD / HTTP/1.1\r\n\r\n"), "HEAD /", true, HttpProtocol.HEAD_REQUEST);
        String interims = "HTTP/1.1 100 Continue\r\n\r\n".repeat(3);
        assertThatThrownBy(() -> http.replyLength(Unpooled.wrappedBuffer(bytes(interims + "HTTP/1.1 204 No Content\r\n\r\n")), head, 64))
                .isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit of 64 bytes (maxReplyBytes)");
        assertThatThrownBy(() -> http.replyLength(Unpooled.wrappedBuffer(bytes(interims)), head, 64))
                .isInstanceOf(FrameException.class).hasMessageContaining("exceeds the limit of 64 bytes (maxReplyBytes)");
    }

    @Property(tries = 200)
    void aReplyIsNeverMeasuredOrHeldPastTheLimitHoweverManyInterimResponsesPrecedeIt(
            @ForAll @IntRange(min = 0, max = 30) int interims, @ForAll("finalResponses") String last, @ForAll boolean head,
            @ForAll @IntRange(min = 64, max = 512) int max) {
        Request request = Request.of(bytes("GET / HTTP/1.1\r\n\r\n"), "GET /", true, head ? HttpProtocol.HEAD_REQUEST : 0);
        byte[] stream = bytes("HTTP/1.1 100 Continue\r\n\r\n".repeat(interims) + last);
        for (int prefix = 0; prefix <= stream.length; prefix++) {
            try {
                int length = http.replyLength(Unpooled.wrappedBuffer(stream, 0, prefix), request, max);
                assertThat(length).as("prefix of %d bytes", prefix).isLessThanOrEqualTo(max);
                if (length < 0) {
                    assertThat(prefix).as("bytes held waiting for the rest of a reply").isLessThanOrEqualTo(max);
                }
            } catch (FrameException refused) {
                assertThat(refused).hasMessageContaining("exceeds");
            }
        }
    }

    @Provide
    Arbitrary<String> finalResponses() {
        return Arbitraries.of("HTTP/1.1 204 No Content\r\n\r\n", "HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n",
                "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
    }
}

package io.resh.gateway.protocol;

import static io.resh.gateway.protocol.Decoding.bytes;
import static io.resh.gateway.protocol.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.Unpooled;
import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * Well-formed pipelines of every protocol, with binary payloads (CR and LF among them), empty ones and ones that
 * fill the limit: framed into the same messages, byte for byte, however the bytes arrive.
 */
class PipelinedMessagesTest {
    private static final int MAX = 512;
    private static final List<String> PROTOCOLS = List.of("resp", "memcached", "http", "line", "length");

    /** Messages as the framer must return them, and the protocol that frames them. */
    record Pipeline(String protocol, List<byte[]> messages) {
        byte[] bytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            messages.forEach(out::writeBytes);
            return out.toByteArray();
        }

        Protocol framer() {
            return Decoding.framer(protocol);
        }

        @Override
        public String toString() {
            List<String> shown = new ArrayList<>();
            for (byte[] m : messages) {
                shown.add(Frames.printable(Unpooled.wrappedBuffer(m), 0, m.length));
            }
            return protocol + " " + shown;
        }
    }

    /** Binary bytes, rich in CR and LF; up to {@code max} of them, and now and then exactly {@code max}. */
    private static Arbitrary<byte[]> payload(int max, boolean newlines) {
        Arbitrary<Byte> b = newlines
                ? Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.bytes()), Tuple.of(1, Arbitraries.of((byte) '\r', (byte) '\n')))
                : Arbitraries.bytes().filter(x -> x != '\n');
        return Arbitraries.frequencyOf(
                Tuple.of(6, b.array(byte[].class).ofMaxSize(Math.min(max, 40))),
                Tuple.of(1, b.array(byte[].class).ofSize(max)));
    }

    private static byte[] concat(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            out.writeBytes(p instanceof byte[] b ? b : bytes(p.toString()));
        }
        return out.toByteArray();
    }

    private static byte[] bulk(byte[] b) {
        return concat("$" + b.length + "\r\n", b, "\r\n");
    }

    /** A request of the protocol, its variable part at most {@code room} bytes. */
    private static Arbitrary<byte[]> request(String protocol, int room) {
        return switch (protocol) {
            case "resp" -> Combinators.combine(Arbitraries.of("APPEND", "RPUSH", "HSET", "GET", "ECHO"),
                    payload(room / 2, true).list().ofMinSize(1).ofMaxSize(2)).as((name, args) -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        out.writeBytes(bytes("*" + (args.size() + 1) + "\r\n"));
                        out.writeBytes(bulk(bytes(name)));
                        args.forEach(a -> out.writeBytes(bulk(a)));
                        return out.toByteArray();
                    });
            case "memcached" -> Arbitraries.oneOf(
                    payload(room, true).map(data -> concat("set k 0 0 " + data.length + "\r\n", data, "\r\n")),
                    Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20).map(key -> bytes("get " + key + "\r\n")));
            case "http" -> Arbitraries.oneOf(
                    payload(room, true).map(body -> concat("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: " + body.length
                            + "\r\n\r\n", body)),
                    // Up to three chunks, each with its size line: a third of the room each keeps them under the limit.
                    payload(room / 3 - 8, true).list().ofMaxSize(3).map(chunks -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        out.writeBytes(bytes("PUT /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"));
                        chunks.stream().filter(c -> c.length > 0)
                                .forEach(c -> out.writeBytes(concat(Integer.toHexString(c.length) + "\r\n", c, "\r\n")));
                        out.writeBytes(bytes("0\r\n\r\n"));
                        return out.toByteArray();
                    }));
            case "line" -> payload(room, false).map(line -> concat(line, "\n"));
            case "length" -> payload(room, true).map(p -> concat(new byte[] {0, 0, (byte) (p.length >>> 8), (byte) p.length}, p));
            default -> throw new IllegalArgumentException(protocol);
        };
    }

    @Provide
    Arbitrary<Pipeline> requestPipelines() {
        // Room is left for each request's fixed part, so a full payload makes a request near the limit, not over it.
        return Arbitraries.of(PROTOCOLS).flatMap(protocol -> request(protocol, MAX - 100).list().ofMinSize(1).ofMaxSize(5)
                .map(requests -> new Pipeline(protocol, requests)));
    }

    @Property(tries = 400)
    void requestsAreFramedByteForByteHoweverThePipelineIsSplit(@ForAll("requestPipelines") Pipeline pipeline,
            @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 64) Integer> chunks) {
        List<Object> decoded = Decoding.requests(pipeline.framer(), pipeline.bytes(), chunks, MAX);
        assertThat(decoded).allMatch(m -> m instanceof Request);
        assertThat(decoded).extracting(m -> text(((Request) m).bytes()))
                .containsExactlyElementsOf(pipeline.messages().stream().map(Decoding::text).toList());
    }

    /** A reply of the protocol, to a request of the given shape, its variable part at most {@code room} bytes. */
    private static Arbitrary<byte[]> reply(String protocol, int room) {
        return switch (protocol) {
            case "resp" -> Arbitraries.oneOf(
                    payload(room, true).map(PipelinedMessagesTest::bulk),
                    Arbitraries.of("+OK\r\n", "-ERR no\r\n", ":-12\r\n", "$-1\r\n", "*0\r\n", "_\r\n", "%1\r\n+a\r\n:1\r\n").map(Decoding::bytes),
                    payload(room / 3, true).list().ofMaxSize(3).map(items -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        out.writeBytes(bytes("*" + items.size() + "\r\n"));
                        items.forEach(i -> out.writeBytes(bulk(i)));
                        return out.toByteArray();
                    }));
            case "memcached" -> payload(room / 2, true).list().ofMaxSize(2).map(values -> {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                for (byte[] v : values) {
                    out.writeBytes(concat("VALUE k 0 " + v.length + "\r\n", v, "\r\n"));
                }
                out.writeBytes(bytes("END\r\n"));
                return out.toByteArray();
            });
            case "http" -> Arbitraries.oneOf(
                    payload(room, true).map(body -> concat("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n", body)),
                    Arbitraries.just(bytes("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n")),
                    payload(room / 2, true).filter(c -> c.length > 0).map(c -> concat(
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(c.length) + "\r\n", c,
                            "\r\n0\r\n\r\n")));
            case "line" -> payload(room, false).map(line -> concat(line, "\n"));
            case "length" -> payload(room, true).map(p -> concat(new byte[] {0, 0, (byte) (p.length >>> 8), (byte) p.length}, p));
            default -> throw new IllegalArgumentException(protocol);
        };
    }

    @Provide
    Arbitrary<Pipeline> replyStreams() {
        return Arbitraries.of(PROTOCOLS).flatMap(protocol -> reply(protocol, MAX - 100).list().ofMinSize(1).ofMaxSize(5)
                .map(replies -> new Pipeline(protocol, replies)));
    }

    @Property(tries = 400)
    void repliesAreSplitByteForByteHoweverTheStreamArrives(@ForAll("replyStreams") Pipeline stream,
            @ForAll @IntRange(min = 1, max = 64) int chunk) {
        int shape = stream.protocol().equals("memcached") ? MemcachedProtocol.RETRIEVAL : 0;
        List<Request> requests = Collections.nCopies(stream.messages().size(), Request.of(new byte[0], "X", false, shape));
        assertThat(Decoding.replies(stream.framer(), requests, stream.bytes(), chunk, MAX))
                .containsExactlyElementsOf(stream.messages().stream().map(Decoding::text).toList());
    }

    /** A request with a {@code p}-byte payload, {@code pad} bytes longer elsewhere (so that every total is reachable). */
    private static byte[] sized(String protocol, int p, int pad) {
        byte[] payload = new byte[p];
        Arrays.fill(payload, (byte) '\r');
        String k = "k".repeat(1 + pad);
        return switch (protocol) {
            case "resp" -> concat("*3\r\n", bulk(bytes("SET")), bulk(bytes(k)), bulk(payload));
            case "inline" -> bytes("ECHO " + k + " " + "x".repeat(p) + "\r\n");
            case "memcached" -> concat("set " + k + " 0 0 " + p + "\r\n", payload, "\r\n");
            case "http" -> concat("POST /" + k + " HTTP/1.1\r\nHost: h\r\nContent-Length: " + p + "\r\n\r\n", payload);
            case "chunked" -> concat("POST /" + k + " HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + Integer.toHexString(p + 1) + "\r\n", payload, "x\r\n0\r\n\r\n");
            case "line" -> bytes(k + " " + "x".repeat(p) + "\n");
            case "length", "raw" -> concat(new byte[] {0, 0, (byte) ((p + pad) >>> 8), (byte) (p + pad)}, payload, new byte[pad]);
            default -> throw new IllegalArgumentException(protocol);
        };
    }

    /** A request of exactly {@code total} bytes. */
    private static byte[] exactly(String protocol, int total) {
        for (int p = total; p >= 0; p--) {
            for (int pad = 0; pad <= 1; pad++) {
                byte[] r = sized(protocol, p, pad);
                if (r.length == total) {
                    return r;
                }
            }
        }
        throw new IllegalStateException("no " + protocol + " request of " + total + " bytes");
    }

    @Property(tries = 300)
    void aRequestFillingTheLimitIsTakenAndOneByteMoreIsRefused(
            @ForAll("limitedProtocols") String protocol, @ForAll @IntRange(min = 100, max = 3000) int max,
            @ForAll @IntRange(min = 1, max = 700) int chunk) {
        byte[] request = exactly(protocol, max);
        Protocol framer = Decoding.framer(switch (protocol) {
            case "inline" -> "resp";
            case "chunked" -> "http";
            default -> protocol;
        });
        int split = protocol.equals("raw") ? request.length : chunk; // a datagram is one chunk
        List<Object> atLimit = Decoding.requests(framer, request, List.of(split), max);
        assertThat(atLimit).hasSize(1).first().isInstanceOf(Request.class);
        List<Object> overLimit = Decoding.requests(framer, request, List.of(split), max - 1);
        assertThat(overLimit).hasSize(1).first().isInstanceOf(LocalReply.class);
        LocalReply refusal = (LocalReply) overLimit.get(0);
        assertThat(refusal.close()).isTrue();
        assertThat(text(refusal.bytes())).contains("exceeds the limit of " + (max - 1) + " bytes (maxFrameBytes)");
    }

    @Provide
    Arbitrary<String> limitedProtocols() {
        return Arbitraries.of("resp", "inline", "memcached", "http", "chunked", "line", "length", "raw");
    }
}

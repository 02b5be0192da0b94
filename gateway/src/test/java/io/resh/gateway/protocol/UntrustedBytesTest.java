package io.resh.gateway.protocol;

import static io.resh.gateway.protocol.Decoding.bytes;
import static io.resh.gateway.protocol.Decoding.text;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.math.BigInteger;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * What every framer promises about bytes from a client or a server it does not trust: they are framed the same
 * however they arrive, and they end in requests, replies or one {@link FrameException}, never in another exception.
 */
class UntrustedBytesTest {
    private static final int MAX = 256;

    /** Pieces of each protocol's grammar, with the numbers that sit at the edges of int and long. */
    private static final Map<String, List<String>> GRAMMAR = Map.of(
            "resp", List.of("*", "$", ":", "+", "-", "%", "~", "|", ">", "_", "=", "\r\n", "\n", "\r", "0", "1", "2",
                    "3", "-1", "-2", "12", "300", "9999999999999999999", "9223372036854775807", "4611686018427387904",
                    "3074457345618258603", "GET", "SET k v", "EX 10", "QUIT", " ", "\"", "'", "\\x4", "ab"),
            "memcached", List.of("set k 0 0 ", "cas k 0 0 1 ", "get k", "gets a b", "VALUE k 0 ", "END", " noreply",
                    " ", "\r\n", "\n", "\r", "0", "1", "5", "-1", "9223372036854775807", "9223372036854775806",
                    "99999999999999999999", "touch k 10", "flush_all 5", "quit", "stats", "ab", "\0"),
            "http", List.of("GET / HTTP/1.1\r\n", "POST /x HTTP/1.0\r\n", "HTTP/1.1 200 OK\r\n", "HTTP/1.1 100 Continue\r\n",
                    "HTTP/1.1 204 No Content\r\n", "HTTP/1.0 304 x\r\n", "Content-Length: ", "Transfer-Encoding: chunked\r\n",
                    "Expect: 100-continue\r\n", "Connection: close\r\n", "Host: h\r\n", "Upgrade: x\r\n", "\r\n", "\n", ": ",
                    "0", "5", "a", "ffffffffffffff", "7fffffffffffffff", "-0", "+5", ";x", "99999999999999999999", "abcde", " "),
            "line", List.of("\n", "\r\n", "\r", "a", " ", "\0", "\u00ff", "get k"),
            "length", List.of("\0\0\0\0", "\0\0\0\1", "\0\0\0\5", "\u00ff\u00ff\u00ff\u00ff", "\u007f\u00ff\u00ff\u00ff",
                    "\u0080\0\0\0", "\0\0\0\u00fc", "\0\0\0\u00fd", "abcd", "x", "\0"));

    /** Messages of each protocol, each {@code #} to be replaced by a number. */
    private static final Map<String, List<String>> TEMPLATES = Map.of(
            "resp", List.of("*#\r\n", "$#\r\n", "$#\r\nab\r\n", "%#\r\n", "~#\r\n", "|#\r\n", ">#\r\n", ":#\r\n",
                    "*2\r\n$3\r\nGET\r\n$#\r\n", "SET k v EX #\r\n", "+OK\r\n", "$-1\r\n", "*-1\r\n"),
            "memcached", List.of("set k 0 # #\r\n", "set k 0 0 #\r\nabcde\r\n", "cas k 0 0 # 1\r\n", "VALUE k 0 #\r\n",
                    "VALUE k 0 #\r\nabcde\r\nEND\r\n", "get k\r\n", "touch k #\r\n", "END\r\n"),
            "http", List.of("GET / HTTP/1.1\r\nContent-Length: #\r\n\r\n", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
                    "HTTP/1.1 200 OK\r\nContent-Length: #\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n",
                    "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 204 No Content\r\n\r\n", "#\r\nabcde\r\n", "#\r\n", "0\r\n\r\n"),
            "line", List.of("get #\n", "#\r\n"),
            "length", List.of("#", "#abcde"));

    /** Numbers at the edges of what a length field or a parser holds. */
    private static final List<String> EDGES = List.of("0", "1", "2", "3", "5", "-1", "-2", "252", "255", "256", "257", "2147483647",
            "2147483648", "4294967295", "4294967296", "4611686018427387904", "3074457345618258603", "9223372036854775807",
            "9223372036854775808", "9999999999999999999", "99999999999999999999", "7fffffffffffffff", "ffffffffffffff", "+5", "-0");

    /** Edge numbers, numbers just below the largest long, and any long. */
    private static Arbitrary<String> numbers() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.of(EDGES)),
                Tuple.of(2, Arbitraries.longs().between(Long.MAX_VALUE - 64, Long.MAX_VALUE).map(String::valueOf)),
                Tuple.of(1, Arbitraries.longs().map(String::valueOf)),
                Tuple.of(2, Arbitraries.integers().between(0, 300).map(String::valueOf)));
    }

    /** A number as the protocol writes it: decimal text, or for the length protocol a four-byte big-endian field. */
    private static String number(String protocol, String edge) {
        if (!protocol.equals("length")) {
            return edge;
        }
        long n;
        try {
            n = Long.parseLong(edge);
        } catch (NumberFormatException e) {
            n = edge.length();
        }
        return new String(new char[] {(char) ((n >>> 24) & 0xff), (char) ((n >>> 16) & 0xff), (char) ((n >>> 8) & 0xff),
                (char) (n & 0xff)});
    }

    /** The shapes each protocol's replies are framed by. */
    private static final Map<String, List<Integer>> SHAPES = Map.of(
            "resp", List.of(0, RespCommands.UNORDERED, RespCommands.UNORDERED_PAIRS),
            "memcached", List.of(MemcachedProtocol.LINE, MemcachedProtocol.RETRIEVAL),
            "http", List.of(0, HttpProtocol.HEAD_REQUEST, HttpProtocol.HTTP10),
            "line", List.of(0),
            "length", List.of(0));

    /** Bytes built from one protocol's grammar, now and then with an arbitrary byte among them. */
    record Input(String protocol, byte[] bytes) {
        Protocol framer() {
            return Decoding.framer(protocol);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder(protocol).append(' ');
            for (int i = 0; i < bytes.length; i += 40) {
                sb.append(Frames.printable(Unpooled.wrappedBuffer(bytes), i, Math.min(bytes.length, i + 40)));
            }
            return sb.toString();
        }
    }

    @Provide
    Arbitrary<Input> inputs() {
        return Arbitraries.of(List.copyOf(GRAMMAR.keySet())).flatMap(protocol -> {
            Arbitrary<String> message = Arbitraries.of(TEMPLATES.get(protocol)).flatMap(template ->
                    numbers().map(edge -> template.replace("#", number(protocol, edge))));
            Arbitrary<String> piece = Arbitraries.frequencyOf(
                    Tuple.of(4, message),
                    Tuple.of(4, Arbitraries.of(GRAMMAR.get(protocol))),
                    Tuple.of(1, Arbitraries.chars().range('\0', '\u00ff').map(String::valueOf)),
                    Tuple.of(1, Arbitraries.strings().withCharRange('a', 'z').ofMaxLength(300)));
            return piece.list().ofMaxSize(20).map(pieces -> new Input(protocol, bytes(String.join("", pieces))));
        });
    }

    @Property(tries = 500)
    void requestsAreFramedTheSameHoweverTheBytesArriveAndOnlyFrameErrorsEndThem(
            @ForAll("inputs") Input input, @ForAll @Size(min = 1, max = 5) List<@IntRange(min = 1, max = 40) Integer> chunks) {
        Protocol framer = input.framer();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            List<String> whole = outcomes(Decoding.requests(framer, input.bytes(), List.of(Math.max(1, input.bytes().length)), MAX));
            List<String> split = outcomes(Decoding.requests(framer, input.bytes(), chunks, MAX));
            assertThat(split).isEqualTo(whole);
        });
    }

    @Property(tries = 500)
    void whatIsForwardedIsOneRequestThatFramesTheSameAgain(@ForAll("inputs") Input input) {
        Protocol framer = input.framer();
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            for (Object m : Decoding.requests(framer, input.bytes(), List.of(Math.max(1, input.bytes().length)), MAX)) {
                if (m instanceof Request r) {
                    ByteBuf forwarded = Unpooled.wrappedBuffer(r.bytes());
                    Object again = framer.decodeRequest(forwarded, Integer.MAX_VALUE / 2);
                    assertThat(again).as("forwarded %s", text(r.bytes())).isInstanceOf(Request.class);
                    assertThat(text(((Request) again).bytes())).isEqualTo(text(r.bytes()));
                    assertThat(forwarded.isReadable()).as("bytes left after the forwarded request").isFalse();
                }
            }
        });
    }

    @Property(tries = 500)
    void aReplyIsMeasuredOnlyOnceComplete(@ForAll("inputs") Input input, @ForAll @IntRange(min = 0, max = 2) int shapeIndex) {
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> measureEveryPrefix(input, shapeIndex));
    }

    private static void measureEveryPrefix(Input input, int shapeIndex) {
        Protocol framer = input.framer();
        List<Integer> shapes = SHAPES.get(input.protocol());
        Request request = new Request(new byte[0], "X", false, shapes.get(shapeIndex % shapes.size()), false, true);
        byte[] stream = input.bytes();
        Integer length = measure(framer, stream, stream.length, request);
        for (int prefix = 0; prefix <= stream.length; prefix++) {
            Integer measured = measure(framer, stream, prefix, request);
            if (length == null) {
                assertThat(measured).as("prefix of %d bytes of a stream refused whole", prefix).isIn(null, -1);
            } else if (length < 0 || prefix < length) {
                assertThat(measured).as("prefix of %d bytes", prefix).isEqualTo(-1);
            } else {
                assertThat(measured).as("prefix of %d bytes", prefix).isEqualTo(length);
            }
            if (measured != null && measured == -1) {
                assertThat(prefix).as("bytes held waiting for the rest of a reply").isLessThanOrEqualTo(MAX);
            }
        }
        if (length != null && length > 0) {
            assertThat(length).isLessThanOrEqualTo(MAX);
            byte[] reply = Arrays.copyOf(stream, length);
            framer.canonicalize(request, reply);
            framer.toClient(request, reply);
            framer.closesConnection(request, reply);
        }
    }

    /**
     * A message whose header declares {@code declared} bytes or elements, followed by fewer than that: {@code header}
     * holds a {@code #} for the declared number, {@code unit} is what is carried {@code carried} times.
     */
    record Declaration(String protocol, boolean reply, int shape, String header, boolean hex, String unit, BigInteger declared,
            int carried) {
        byte[] bytes() {
            String n = hex ? declared.toString(16) : declared.toString();
            if (protocol.equals("length")) {
                long v = declared.longValue();
                n = new String(new char[] {(char) ((v >>> 24) & 0xff), (char) ((v >>> 16) & 0xff), (char) ((v >>> 8) & 0xff),
                        (char) (v & 0xff)});
            }
            return Decoding.bytes(header.replace("#", n) + unit.repeat(carried));
        }

        @Override
        public String toString() {
            return (reply ? "reply " : "request ") + Frames.printable(Unpooled.wrappedBuffer(bytes()), 0, bytes().length);
        }
    }

    /** One kind of message: its header, what its declared number counts, and how many of those complete it. */
    private record Form(String protocol, boolean reply, int shape, String header, boolean hex, String unit, int unitsPerCount,
            int extraUnits) {
    }

    private static final List<Form> FORMS = List.of(
            new Form("resp", true, 0, "$#\r\n", false, "x", 1, 2),
            new Form("resp", true, 0, "*#\r\n", false, "+a\r\n", 1, 0),
            new Form("resp", true, 0, ">#\r\n", false, "+a\r\n", 1, 0),
            new Form("resp", true, 0, "%#\r\n", false, "+a\r\n", 2, 0),
            new Form("resp", true, 0, "|#\r\n", false, "+a\r\n", 2, 1),
            new Form("resp", true, 0, "*1\r\n%#\r\n", false, "+a\r\n", 2, 0),
            new Form("resp", false, 0, "*#\r\n", false, "$1\r\na\r\n", 1, 0),
            new Form("resp", false, 0, "*2\r\n$3\r\nGET\r\n$#\r\n", false, "x", 1, 2),
            new Form("memcached", false, 0, "set k 0 0 #\r\n", false, "x", 1, 2),
            new Form("memcached", true, MemcachedProtocol.RETRIEVAL, "VALUE k 0 #\r\n", false, "x", 1, 2),
            new Form("http", false, 0, "POST / HTTP/1.1\r\nContent-Length: #\r\n\r\n", false, "x", 1, 0),
            new Form("http", false, 0, "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n#\r\n", true, "x", 1, 2),
            new Form("http", true, 0, "HTTP/1.1 200 OK\r\nContent-Length: #\r\n\r\n", false, "x", 1, 0),
            new Form("http", true, 0, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n#\r\n", true, "x", 1, 2),
            new Form("length", false, 0, "#", false, "x", 1, 0),
            new Form("length", true, 0, "#", false, "x", 1, 0));

    @Provide
    Arbitrary<Declaration> declarations() {
        Arbitrary<BigInteger> declared = Arbitraries.frequencyOf(
                Tuple.of(2, Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(300))),
                Tuple.of(1, Arbitraries.bigIntegers().between(BigInteger.ONE, BigInteger.valueOf(0xffffffffL))),
                Tuple.of(2, Arbitraries.longs().between(Long.MAX_VALUE / 3 - 64, Long.MAX_VALUE / 3 + 64).map(BigInteger::valueOf)),
                Tuple.of(2, Arbitraries.longs().between(Long.MAX_VALUE / 2 - 64, Long.MAX_VALUE / 2 + 64).map(BigInteger::valueOf)),
                Tuple.of(3, Arbitraries.longs().between(Long.MAX_VALUE - 64, Long.MAX_VALUE).map(BigInteger::valueOf)),
                Tuple.of(2, Arbitraries.bigIntegers().between(BigInteger.valueOf(Long.MAX_VALUE),
                        BigInteger.TEN.pow(19).subtract(BigInteger.ONE))));
        // A length field holds 32 bits; a chunk size is written in hex, which has no sign to overflow into.
        return Arbitraries.of(FORMS).flatMap(form -> declared.filter(n -> form.protocol().equals("length") ? n.bitLength() <= 32
                : !form.hex() || n.bitLength() <= 63).flatMap(n -> {
            BigInteger needed = n.multiply(BigInteger.valueOf(form.unitsPerCount())).add(BigInteger.valueOf(form.extraUnits()));
            int most = needed.min(BigInteger.valueOf(300)).intValueExact() - 1;
            return Arbitraries.integers().between(0, Math.max(0, most)).map(k -> new Declaration(form.protocol(),
                    form.reply(), form.shape(), form.header(), form.hex(), form.unit(), n, k));
        }));
    }

    @Property(tries = 500)
    void aMessageDeclaringMoreThanItCarriesIsNeverComplete(@ForAll("declarations") Declaration message) {
        Protocol framer = new Input(message.protocol(), new byte[0]).framer();
        ByteBuf buf = Unpooled.wrappedBuffer(message.bytes());
        assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
            try {
                if (message.reply()) {
                    Request request = new Request(new byte[0], "X", false, message.shape(), false, false);
                    assertThat(framer.replyLength(buf, request, MAX)).isEqualTo(-1);
                } else {
                    assertThat(framer.decodeRequest(buf, MAX)).isNull();
                    assertThat(buf.readerIndex()).as("nothing consumed").isZero();
                    assertThat(buf.readableBytes()).as("bytes held waiting for the rest of a request").isLessThanOrEqualTo(MAX);
                }
            } catch (FrameException refused) {
                assertThat(buf.readerIndex()).as("nothing consumed").isZero();
            }
        });
    }

    /** The length {@code replyLength} gives the first {@code prefix} bytes (read from a nonzero index), or null if it refuses them. */
    private static Integer measure(Protocol framer, byte[] stream, int prefix, Request request) {
        ByteBuf buf = Unpooled.buffer(prefix + 3);
        buf.writeBytes(new byte[] {'#', '#', '#'}).readerIndex(3);
        buf.writeBytes(stream, 0, prefix);
        try {
            int length = framer.replyLength(buf, request, MAX);
            assertThat(buf.readerIndex()).as("measuring consumes nothing").isEqualTo(3);
            assertThat(length).isBetween(-1, prefix);
            return length;
        } catch (FrameException refused) {
            return null;
        }
    }

    /**
     * What a client gets for each decoded message. An error's numbers are left out: the size of a request found too
     * large depends on how much of it had arrived.
     */
    private static List<String> outcomes(List<Object> decoded) {
        List<String> out = new ArrayList<>();
        for (Object m : decoded) {
            if (m instanceof Request r) {
                out.add("request " + r.name() + " " + r.readOnly() + " " + r.shape() + " " + r.silent() + " " + r.closeAfter()
                        + " " + text(r.bytes()));
            } else if (m instanceof LocalReply reply && reply.close()) {
                out.add("closing reply " + text(reply.bytes()).replaceAll("[0-9]+", "N"));
            } else if (m instanceof LocalReply reply) {
                out.add("reply " + text(reply.bytes()));
            } else if (!(m instanceof HttpProtocol.Interim)) {
                out.add("unexpected " + m);
            }
        }
        return out;
    }
}

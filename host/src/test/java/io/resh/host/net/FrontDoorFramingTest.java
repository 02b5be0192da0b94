package io.resh.host.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.client.ClientProtocol;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * The front door's framing over a real socket, in front of a sink that answers every request with its own payload:
 * requests of any payload, empty or as large as allowed, are answered the same however the client's writes split
 * them, and one byte more than allowed is refused after the requests before it are answered.
 */
class FrontDoorFramingTest {
    private static final int MAX_REQUEST_BYTES = 300;
    private static ReshServer server;

    @BeforeContainer
    static void start() {
        server = ReshServer.serve(request -> CompletableFuture.completedFuture(Reply.ok(request)), MAX_REQUEST_BYTES,
                "127.0.0.1", 0);
    }

    @AfterContainer
    static void stop() {
        server.close();
    }

    /** Binary payloads, now and then empty or exactly as large as the front door takes. */
    @Provide
    Arbitrary<List<byte[]>> payloads() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.bytes().array(byte[].class).ofMaxSize(40)),
                Tuple.of(1, Arbitraries.just(new byte[0])),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofSize(MAX_REQUEST_BYTES))).list().ofMinSize(1).ofMaxSize(8);
    }

    @Property(tries = 100)
    void everyRequestIsAnsweredWithItsPayloadHoweverTheClientsWritesSplitIt(@ForAll("payloads") List<byte[]> payloads,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 50) Integer> chunks) throws IOException {
        ByteBuffer stream = ByteBuffer.allocate(payloads.stream().mapToInt(p -> 12 + p.length).sum());
        Map<Long, String> sent = new HashMap<>();
        for (int i = 0; i < payloads.size(); i++) {
            long id = 0x0102030405060708L * (i + 1); // every byte of the id counts
            stream.put(request(id, payloads.get(i)));
            sent.put(id, HexFormat.of().formatHex(payloads.get(i)));
        }
        try (Socket socket = connect()) {
            write(socket, stream.array(), chunks);
            DataInputStream in = new DataInputStream(socket.getInputStream());
            Map<Long, String> answered = new HashMap<>();
            for (int i = 0; i < payloads.size(); i++) {
                int length = in.readInt();
                long id = in.readLong();
                assertThat(in.readByte()).isEqualTo(ClientProtocol.STATUS_OK);
                answered.put(id, HexFormat.of().formatHex(in.readNBytes(length - 9)));
            }
            assertThat(answered).isEqualTo(sent);
        }
    }

    @Property(tries = 50)
    void aRequestOneByteOverTheLimitIsRefusedOnceTheOnesBeforeItAreAnswered(
            @ForAll @IntRange(min = 0, max = 3) int before, @ForAll @IntRange(min = 1, max = 400) int chunk) throws IOException {
        ByteBuffer stream = ByteBuffer.allocate(before * (12 + MAX_REQUEST_BYTES) + 12 + MAX_REQUEST_BYTES + 1);
        for (int i = 1; i <= before; i++) {
            stream.put(request(i, new byte[MAX_REQUEST_BYTES]));
        }
        stream.put(request(99, new byte[MAX_REQUEST_BYTES + 1]));
        try (Socket socket = connect()) {
            write(socket, stream.array(), List.of(chunk));
            DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int i = 1; i <= before; i++) {
                assertThat(in.readInt()).isEqualTo(9 + MAX_REQUEST_BYTES);
                assertThat(in.readLong()).isBetween(1L, (long) before);
                assertThat(in.readByte()).isEqualTo(ClientProtocol.STATUS_OK);
                in.readNBytes(MAX_REQUEST_BYTES);
            }
            int length = in.readInt();
            assertThat(in.readLong()).as("a connection error").isZero();
            assertThat(in.readByte()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
            assertThat(new String(in.readNBytes(length - 9), StandardCharsets.UTF_8))
                    .contains("exceeds the limit of " + MAX_REQUEST_BYTES + " bytes (maxRequestBytes)");
            assertThat(in.read()).as("closed after the error").isEqualTo(-1);
        }
    }

    /** Well-formed requests with arbitrary bytes among them, and length fields anywhere from 0 to 2^32 - 1. */
    @Provide
    Arbitrary<byte[]> hostileStreams() {
        Arbitrary<byte[]> request = Arbitraries.bytes().array(byte[].class).ofMaxSize(20).map(p -> request(7, p));
        Arbitrary<byte[]> lengthField = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 12)),
                Tuple.of(1, Arbitraries.integers().between(MAX_REQUEST_BYTES + 6, MAX_REQUEST_BYTES + 10)),
                Tuple.of(1, Arbitraries.integers())).map(n -> ByteBuffer.allocate(4).putInt(n).array());
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(12);
        return Arbitraries.oneOf(request, lengthField, noise).list().ofMaxSize(6).map(parts -> {
            ByteBuffer all = ByteBuffer.allocate(parts.stream().mapToInt(b -> b.length).sum());
            parts.forEach(all::put);
            return all.array();
        });
    }

    @Property(tries = 100)
    void anyBytesEndInRepliesAndAtMostOneErrorOnceTheClientStopsSending(@ForAll("hostileStreams") byte[] stream,
            @ForAll @IntRange(min = 1, max = 50) int chunk) throws IOException {
        try (Socket socket = connect()) {
            write(socket, stream, List.of(chunk));
            socket.shutdownOutput();
            DataInputStream in = new DataInputStream(socket.getInputStream());
            boolean refused = false;
            int first;
            while ((first = in.read()) != -1) {
                assertThat(refused).as("nothing after the connection error").isFalse();
                int length = (first << 24) | in.readUnsignedByte() << 16 | in.readUnsignedByte() << 8 | in.readUnsignedByte();
                assertThat(length).as("a reply's length").isBetween(9, 9 + MAX_REQUEST_BYTES + 200);
                long id = in.readLong();
                byte status = in.readByte();
                in.readNBytes(length - 9);
                // Any 8 bytes after a length field are a correlation id, 0 included: only the error has another status.
                if (status != ClientProtocol.STATUS_OK) {
                    assertThat(status).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
                    assertThat(id).as("the connection error's id").isZero();
                    refused = true;
                }
            }
        }
    }

    private static byte[] request(long id, byte[] payload) {
        return ByteBuffer.allocate(12 + payload.length).putInt(8 + payload.length).putLong(id).put(payload).array();
    }

    private static Socket connect() throws IOException {
        Socket socket = new Socket("127.0.0.1", server.port());
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Writes {@code bytes} in pieces of the given sizes, used in turn, each flushed on its own. */
    private static void write(Socket socket, byte[] bytes, List<Integer> chunks) throws IOException {
        OutputStream out = socket.getOutputStream();
        int next = 0;
        for (int i = 0; i < bytes.length; next++) {
            int n = Math.min(chunks.get(next % chunks.size()), bytes.length - i);
            out.write(bytes, i, n);
            out.flush();
            i += n;
        }
    }
}

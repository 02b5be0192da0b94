package io.resh.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * How the client reads reply frames from a server it does not control: a reply arrives byte for byte however the
 * server's writes split it, and bytes that are no reply end the call with an error, never with another exception.
 */
class ReplyFramingTest {

    /** What a server does with the one request it reads: {@code id} is the request's correlation id. */
    private interface Answer {
        byte[] to(long id);
    }

    @Provide
    Arbitrary<byte[]> payloads() {
        return Arbitraries.frequencyOf(
                Tuple.of(5, Arbitraries.bytes().array(byte[].class).ofMaxSize(60)),
                Tuple.of(1, Arbitraries.just(new byte[0])),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofMinSize(4000).ofMaxSize(70_000)));
    }

    @Property(tries = 40)
    void aReplyArrivesByteForByteHoweverTheServersWritesSplitIt(@ForAll("payloads") byte[] payload, @ForAll boolean withOtherIds,
            @ForAll @Size(min = 1, max = 4) List<@IntRange(min = 1, max = 5000) Integer> chunks) throws Exception {
        byte[] reply = call(id -> {
            ByteBuffer out = ByteBuffer.allocate(2 * 13 + payload.length);
            if (withOtherIds) {
                out.put(frame(id + 1000, ClientProtocol.STATUS_OK, new byte[0])); // an id nobody waits for is ignored
            }
            out.put(frame(id, ClientProtocol.STATUS_OK, payload));
            return Arrays.copyOf(out.array(), out.position());
        }, chunks);
        assertThat(reply).isEqualTo(payload);
    }

    /** Reply frames with any status, short frames, length fields from 0 to 2^32 - 1, and noise. */
    @Provide
    Arbitrary<Answer> hostileAnswers() {
        Arbitrary<byte[]> lengthField = Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.integers().between(0, 12)),
                Tuple.of(1, Arbitraries.integers())).map(n -> ByteBuffer.allocate(4).putInt(n).array());
        Arbitrary<byte[]> noise = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(16);
        Arbitrary<Byte> status = Arbitraries.bytes();
        return Arbitraries.oneOf(lengthField, noise, status.map(s -> new byte[] {s})).list().ofMaxSize(6).flatMap(parts ->
                Arbitraries.of(true, false).flatMap(ownId -> status.map(s -> id -> {
                    ByteBuffer out = ByteBuffer.allocate(parts.stream().mapToInt(b -> b.length).sum() + 13);
                    if (ownId) {
                        out.put(frame(id, s, new byte[0]), 0, 12 + (int) (id % 2));
                    }
                    parts.forEach(out::put);
                    return Arrays.copyOf(out.array(), out.position());
                })));
    }

    @Property(tries = 40)
    void bytesThatAreNoReplyEndTheCallWithAnErrorOnceTheServerCloses(@ForAll("hostileAnswers") Answer answer,
            @ForAll @IntRange(min = 1, max = 20) int chunk) throws Exception {
        Throwable thrown = catchThrowable(() -> call(answer, List.of(chunk)));
        if (thrown != null) {
            assertThat(thrown).isInstanceOfAny(UncheckedIOException.class, ReshRemoteException.class)
                    .as("the close ends the call, not its timeout").hasMessageNotContaining("no reply within");
        }
    }

    /** Calls a server that answers the client's one request with {@code answer}, written in pieces of the given sizes. */
    private static byte[] call(Answer answer, List<Integer> chunks) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept()) {
                    s.setTcpNoDelay(true);
                    DataInputStream in = new DataInputStream(s.getInputStream());
                    int length = in.readInt();
                    long id = in.readLong();
                    in.readNBytes(length - 8);
                    byte[] bytes = answer.to(id);
                    OutputStream out = s.getOutputStream();
                    int next = 0;
                    try {
                        for (int i = 0; i < bytes.length; next++) {
                            int n = Math.min(chunks.get(next % chunks.size()), bytes.length - i);
                            out.write(bytes, i, n);
                            out.flush();
                            i += n;
                        }
                    } catch (java.net.SocketException closedByTheClient) {
                        // A client that found no reply in the first bytes may close before the rest is written.
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            try (ReshClient client = ReshClient.connect("127.0.0.1", server.getLocalPort())) {
                return client.call(new byte[] {1, 2, 3}, Duration.ofSeconds(10));
            } finally {
                peer.get(10, TimeUnit.SECONDS);
            }
        }
    }

    private static byte[] frame(long id, byte status, byte[] payload) {
        return ByteBuffer.allocate(13 + payload.length).putInt(9 + payload.length).putLong(id).put(status).put(payload).array();
    }
}

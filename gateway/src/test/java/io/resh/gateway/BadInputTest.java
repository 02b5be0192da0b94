package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.RespClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Hostile and clumsy clients cost only themselves: an error or a close for them, nothing for the others. */
class BadInputTest {
    @RegisterExtension
    final GatewayExtension redis = new GatewayExtension();

    @BeforeEach
    void start() {
        redis.start("""
                group: bad-input
                replicas: 3
                server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no' }
                listen: { protocol: resp }
                maxFrameBytes: 64KiB
                maxClients: 2100
                maxInFlight: 64
                frameTimeout: 500ms
                """);
    }

    private void assertOthersUnaffected() throws IOException {
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("SET", "other", "fine")).isEqualTo("OK");
            assertThat(RespClient.text(c.call("GET", "other"))).isEqualTo("fine");
        }
    }

    @Test
    void shouldCloseASlowlorisClientAfterFrameTimeout() throws Exception {
        Socket slow = redis.connect();
        slow.getOutputStream().write("*2\r\n$3\r\nGET\r\n$5\r\nab".getBytes(StandardCharsets.US_ASCII));
        assertOthersUnaffected();
        long start = System.nanoTime();
        String answer = new String(slow.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).isEqualTo("-ERR resh: request not completed within 500 ms (frameTimeout)\r\n");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void shouldAnswerAnOversizedRequestWithAnErrorAndCloseOnlyThatClient() throws Exception {
        Socket big = redis.connect();
        OutputStream out = big.getOutputStream();
        out.write("*3\r\n$3\r\nSET\r\n$3\r\nbig\r\n$1000000\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[4096]);
        String answer = new String(big.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).startsWith("-ERR resh: request of ").contains("exceeds the limit of 65536 bytes");
        assertOthersUnaffected();
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("EXISTS", "big")).as("no replica saw it").isEqualTo(0L);
        }
    }

    @Test
    void shouldServeAPipelineSentOneByteAtATime() throws Exception {
        byte[] pipeline = ("*3\r\n$3\r\nSET\r\n$2\r\nk\u00ff\r\n$3\r\na\r\n\r\nINCR n\r\n*2\r\n$3\r\nGET\r\n$2\r\nk\u00ff\r\n")
                .getBytes(StandardCharsets.ISO_8859_1);
        try (RespClient c = new RespClient(redis.port())) {
            for (byte b : pipeline) {
                c.writeRaw(new byte[] {b}); // one TCP segment per byte (no Nagle on the client)
            }
            assertThat(c.read()).isEqualTo("OK");
            assertThat(c.read()).isEqualTo(1L);
            assertThat((byte[]) c.read()).isEqualTo("a\r\n".getBytes(StandardCharsets.ISO_8859_1));
        }
    }

    @Test
    void shouldIgnoreAClientThatDisconnectsMidRequest() throws Exception {
        Socket s = redis.connect();
        s.getOutputStream().write("*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nval".getBytes(StandardCharsets.US_ASCII));
        s.close();
        assertOthersUnaffected();
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("EXISTS", "k")).isEqualTo(0L);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> redis.status().inFlight() == 0);
    }

    @Test
    void shouldServeWhileTwoThousandIdleConnectionsAreOpen() throws Exception {
        List<Socket> idle = new ArrayList<>();
        for (int i = 0; i < 2000; i++) {
            idle.add(redis.connect());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().clients() >= 2000);
        assertOthersUnaffected();
        for (Socket s : idle) {
            s.close();
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().clients() == 0);
    }

    /**
     * A refused connection, lingering (up to 5 s) to deliver its error, counted as a client: the next client after
     * one left was refused too, and status showed one more client than maxClients.
     */
    @Test
    void shouldRefuseClientsBeyondMaxClientsWithAnError() throws Exception {
        List<Socket> admitted = new ArrayList<>();
        for (int i = 0; i < 2100; i++) {
            admitted.add(redis.connect());
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().clients() >= 2100);
        Socket extra = redis.connect(); // left open, as a client that does not close at once does
        String answer = new String(extra.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(answer).isEqualTo("-ERR resh: max number of clients reached (2100)\r\n");
        assertThat(redis.status().clients()).as("the refused connection is no client").isEqualTo(2100);

        admitted.get(0).close();
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().clients() == 2099);
        try (RespClient next = new RespClient(redis.port())) {
            assertThat(next.call("PING")).as("the place the client left").isEqualTo("PONG");
        }
    }

    @Test
    void shouldStopReadingFromAClientThatDoesNotReadItsRepliesWhileOthersProceed() throws Exception {
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("SET", "big", "x".repeat(60_000))).isEqualTo("OK");
        }
        Socket greedy = redis.connect();
        byte[] get = RespClient.encode("GET".getBytes(), "big".getBytes());
        java.util.concurrent.atomic.AtomicInteger written = new java.util.concurrent.atomic.AtomicInteger();
        var writer = redis.clientThreads().submit(() -> {
            OutputStream out = greedy.getOutputStream();
            for (int i = 0; i < 1_000_000; i++) {
                out.write(get); // blocks once the gateway stops reading: that is the point
                written.incrementAndGet();
            }
            return null;
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().requests() > 100);
        for (int round = 0; round < 20; round++) {
            assertOthersUnaffected();
        }
        assertThat(redis.status().inFlight()).as("maxInFlight, and 8 times that for a lagging replica").isLessThanOrEqualTo(8 * 64);
        await().atMost(Duration.ofSeconds(10)).until(() -> written.get() > 20_000);
        assertThat(writer.isDone()).as("the greedy client is held back, not buffered").isFalse();
        assertThat(redis.status().requests()).as("sequenced, of %d written", written.get()).isLessThan(written.get() / 4);
        InputStream in = greedy.getInputStream();
        byte[] first = in.readNBytes(60_010);
        assertThat(new String(first, 0, 8, StandardCharsets.US_ASCII)).isEqualTo("$60000\r\n");
    }
}

package io.resh.host.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.client.ClientProtocol;
import io.resh.client.ReshClient;
import io.resh.client.ReshRemoteException;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.ProtocolSocket;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The TCP front door with a real group behind it: good clients are served while bad ones are cut off. */
@Tag("e2e")
class ReshServerTest {
    @RegisterExtension
    static final ReplicaLogsOnFailure LOGS = new ReplicaLogsOnFailure();
    private static ReplicaGroup group;
    private static ReshServer server;

    @BeforeAll
    static void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path workDir) {
        group = LOGS.watch(ReplicaGroup.start(TestGroups.counter("front", 3, workDir).maxRequestBytes(4096).build()));
        server = ReshServer.start(group, "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        server.close();
        group.close();
    }

    /** A network thread stuck in the sink (a call that never returns) held close(), and a stopping resh serve, for good. */
    @Test
    void shouldCloseWithinABoundWhenANetworkThreadIsStuckInTheSink() throws Exception {
        java.util.concurrent.CountDownLatch entered = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
        ReshServer stuck = ReshServer.serve(request -> {
            entered.countDown();
            boolean released = false;
            while (!released) { // stays stuck, interrupted or not, as a call that never returns
                try {
                    never.await();
                    released = true;
                } catch (InterruptedException e) {
                    // keep waiting
                }
            }
            return java.util.concurrent.CompletableFuture.completedFuture(Reply.failure(new IllegalStateException()));
        }, 4096, "127.0.0.1", 0);
        try (ReshClient client = ReshClient.connect("127.0.0.1", stuck.port())) {
            client.send("blocks".getBytes(StandardCharsets.UTF_8));
            assertThat(entered.await(10, java.util.concurrent.TimeUnit.SECONDS)).as("the request reached the sink").isTrue();

            java.util.concurrent.CompletableFuture<Void> closed = java.util.concurrent.CompletableFuture.runAsync(stuck::close);

            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(30)).until(closed::isDone);
        } finally {
            never.countDown();
        }
    }

    @Test
    void shouldAnswerWithTheVotedReply() {
        try (ReshClient client = ReshClient.connect("127.0.0.1", server.port())) {
            assertThat(client.call("echo-me", Duration.ofSeconds(10))).isEqualTo("echo:echo-me");
        }
    }

    @Test
    void shouldReturnAVotedServiceErrorAsAnErrorStatus() {
        try (ReshClient client = ReshClient.connect("127.0.0.1", server.port())) {
            assertThatThrownBy(() -> client.call("fail", Duration.ofSeconds(10)))
                    .isInstanceOf(ReshRemoteException.class)
                    .hasMessageContaining("service error")
                    .hasMessageContaining("asked to fail");
        }
    }

    @Test
    void shouldRejectAnOversizedRequestAndKeepServingOtherClients() throws Exception {
        try (ReshClient good = ReshClient.connect("127.0.0.1", server.port());
             Socket bad = new Socket("127.0.0.1", server.port())) {
            DataOutputStream out = new DataOutputStream(bad.getOutputStream());
            out.writeInt(1_000_000); // declares far more than maxRequestBytes (4096)
            out.writeLong(1);
            out.flush(); // the header alone is refused: the server must not wait for the body

            DataInputStream in = new DataInputStream(bad.getInputStream());
            int length = in.readInt();
            long id = in.readLong();
            byte status = in.readByte();
            byte[] msg = in.readNBytes(length - 9);
            assertThat(id).isZero();
            assertThat(status).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
            assertThat(new String(msg, StandardCharsets.UTF_8)).contains("exceeds the limit of 4096 bytes");
            assertThat(in.read()).isEqualTo(-1); // closed
            assertThat(good.call("still-here", Duration.ofSeconds(10))).isEqualTo("echo:still-here");
        }
    }

    @Test
    void shouldRejectAMalformedFrame() throws Exception {
        try (Socket bad = new Socket("127.0.0.1", server.port())) {
            DataOutputStream out = new DataOutputStream(bad.getOutputStream());
            out.writeInt(3); // shorter than the 8-byte correlation id
            out.write(new byte[] {1, 2, 3});
            out.flush();
            DataInputStream in = new DataInputStream(bad.getInputStream());
            int length = in.readInt();
            in.readLong();
            assertThat(in.readByte()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
            assertThat(new String(in.readNBytes(length - 9), StandardCharsets.UTF_8)).contains("malformed request frame");
            assertThat(in.read()).isEqualTo(-1);
        }
    }

    @Test
    void shouldAnswerTheRequestsReadBeforeAMalformedFrameThenRejectIt() throws Exception {
        long before;
        try (ReshClient client = ReshClient.connect("127.0.0.1", server.port())) {
            before = Long.parseLong(client.call("get", Duration.ofSeconds(10)));
        }
        try (ProtocolSocket bad = ProtocolSocket.connect(server.port())) {
            bad.sendTogether(ProtocolSocket.request(1, "add:1"), ProtocolSocket.request(2, "add:1"),
                    ProtocolSocket.request(3, "add:1"), ProtocolSocket.malformed(), ProtocolSocket.request(4, "add:100"));

            bad.expectThreeAnsweredThenRejected(before);
        }
        try (ReshClient client = ReshClient.connect("127.0.0.1", server.port())) {
            assertThat(client.call("get", Duration.ofSeconds(10))).as("request 4, after the bad frame, never ran")
                    .isEqualTo(Long.toString(before + 3));
        }
    }

    @Test
    void shouldPipelineManyRequestsOnOneConnection() throws Exception {
        try (ReshClient client = ReshClient.connect("127.0.0.1", server.port())) {
            var futures = new java.util.ArrayList<java.util.concurrent.CompletableFuture<byte[]>>();
            for (int i = 0; i < 500; i++) {
                futures.add(client.send(("p" + i).getBytes(StandardCharsets.UTF_8)));
            }
            for (int i = 0; i < 500; i++) {
                assertThat(new String(futures.get(i).get(20, java.util.concurrent.TimeUnit.SECONDS), StandardCharsets.UTF_8))
                        .isEqualTo("echo:p" + i);
            }
        }
    }

    /** {@code nc -N} and scripts that {@code shutdown(SHUT_WR)} after writing: their replies used to be dropped. */
    @Test
    void shouldAnswerAClientThatShutsDownItsSendingSideAfterItsRequests() throws Exception {
        try (Socket client = new Socket("127.0.0.1", server.port())) {
            client.setSoTimeout(10_000);
            DataOutputStream out = new DataOutputStream(client.getOutputStream());
            for (long id = 1; id <= 2; id++) {
                byte[] payload = ("half-" + id).getBytes(StandardCharsets.UTF_8);
                out.writeInt(8 + payload.length);
                out.writeLong(id);
                out.write(payload);
            }
            out.flush();
            client.shutdownOutput();

            DataInputStream in = new DataInputStream(client.getInputStream());
            for (long id = 1; id <= 2; id++) {
                int length = in.readInt();
                assertThat(in.readLong()).isEqualTo(id);
                assertThat(in.readByte()).isEqualTo(ClientProtocol.STATUS_OK);
                assertThat(new String(in.readNBytes(length - 9), StandardCharsets.UTF_8)).isEqualTo("echo:half-" + id);
            }
            assertThat(in.read()).as("end of stream once both are answered").isEqualTo(-1);
        }
    }

    /** The limit is the request's own size: one of exactly maxRequestBytes was refused (4 bytes were lost to the length field). */
    @Test
    void shouldAnswerARequestOfExactlyTheLimitAndRefuseOneByteMore() throws Exception {
        for (int size : new int[] {4096, 4097}) {
            try (Socket client = new Socket("127.0.0.1", server.port())) {
                client.setSoTimeout(10_000);
                DataOutputStream out = new DataOutputStream(client.getOutputStream());
                out.writeInt(8 + size);
                out.writeLong(7);
                out.write("x".repeat(size).getBytes(StandardCharsets.UTF_8));
                out.flush();

                DataInputStream in = new DataInputStream(client.getInputStream());
                int length = in.readInt();
                long id = in.readLong();
                byte status = in.readByte();
                String payload = new String(in.readNBytes(length - 9), StandardCharsets.UTF_8);
                if (size == 4096) {
                    assertThat(status).as(payload).isEqualTo(ClientProtocol.STATUS_OK);
                    assertThat(id).isEqualTo(7);
                    assertThat(payload).isEqualTo("echo:" + "x".repeat(size));
                } else {
                    assertThat(status).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
                    assertThat(payload).contains("exceeds the limit of 4096 bytes");
                }
            }
        }
    }

    @Test
    void shouldSayThatAHostNameDoesNotResolve() {
        assertThatThrownBy(() -> ReshServer.serve(request -> new java.util.concurrent.CompletableFuture<>(), 4096,
                "no-such-host.invalid", 0))
                .hasMessage("cannot listen for clients on no-such-host.invalid:0: unknown host");
    }

    /**
     * A client that keeps sending after its bad frame must still read the error: a server that closed the
     * socket with those bytes unread would send a reset, and the client's kernel drops the error with it.
     */
    @Test
    void shouldDeliverTheRejectionToAClientThatKeepsSending() throws Exception {
        try (Socket bad = new Socket("127.0.0.1", server.port())) {
            DataOutputStream out = new DataOutputStream(bad.getOutputStream());
            out.writeInt(3); // malformed: shorter than the correlation id
            out.write(new byte[] {1, 2, 3});
            out.flush();
            java.util.concurrent.CompletableFuture<Throwable> sending = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                byte[] junk = new byte[64 * 1024];
                try {
                    for (int i = 0; i < 64; i++) { // 4 MiB at most, far more than the socket buffers hold
                        out.write(junk);
                    }
                    out.flush();
                    return null;
                } catch (java.io.IOException e) {
                    return e;
                }
            });
            // Read only once the sender is done (or was cut off): by then a reset would have arrived.
            Throwable sendFailure = sending.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(sendFailure).as("the server keeps reading (and discarding) until the client is done").isNull();
            DataInputStream in = new DataInputStream(bad.getInputStream());
            int length = in.readInt();
            assertThat(in.readLong()).isZero();
            assertThat(in.readByte()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
            assertThat(new String(in.readNBytes(length - 9), StandardCharsets.UTF_8)).contains("malformed request frame");
            assertThat(in.read()).as("end of stream after the error").isEqualTo(-1);
        }
    }
}

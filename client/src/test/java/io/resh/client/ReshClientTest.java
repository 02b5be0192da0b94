package io.resh.client;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The client against a peer that is not a resh front door. */
class ReshClientTest {
    /** An HTTP server on the port (resh's own admin port, say) answers a request with text, not a reply frame. */
    @Test
    void shouldSayThatThePeerDoesNotSpeakTheClientProtocol() throws Exception {
        try (ServerSocket http = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = servedOnce(http, s -> {
                InputStream in = s.getInputStream();
                in.readNBytes(4); // the request's length: enough to know it came
                OutputStream out = s.getOutputStream();
                out.write("HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                in.read(); // keeps the connection open until the client closes it
            });
            try (ReshClient client = ReshClient.connect("127.0.0.1", http.getLocalPort())) {
                assertThatThrownBy(() -> client.call("hello", Duration.ofSeconds(10)))
                        .isInstanceOf(UncheckedIOException.class)
                        // Netty's "Adjusted frame length exceeds 67108880: 1213486164 - discarded" named no protocol.
                        .hasMessageEndingWith(": 127.0.0.1:" + http.getLocalPort() + " answered with bytes that are not a resh"
                                + " reply (they begin with \"HTTP\", which read as a reply length is 1213486160 bytes,"
                                + " over the limit of 67108880); is it resh's front door?");
            }
            peer.get(10, TimeUnit.SECONDS);
        }
    }

    /** A length field too small for a reply's header, and bytes that are not text, said in the same terms. */
    @Test
    void shouldDescribeAShortFrameAndBinaryBytes() throws Exception {
        byte[][] answers = {{0, 0, 0, 2, 'o', 'k'}, {(byte) 0xff, (byte) 0xfe, 0, 1, 0}};
        String[] why = {"a reply of 2 bytes, shorter than the 9 of a reply's header",
            "they begin with 0xfffe0001, which read as a reply length is 4294836225 bytes, over the limit of 67108880"};
        for (int i = 0; i < answers.length; i++) {
            byte[] answer = answers[i];
            try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                CompletableFuture<Void> peer = servedOnce(server, s -> {
                    InputStream in = s.getInputStream();
                    in.readNBytes(4);
                    s.getOutputStream().write(answer);
                    s.getOutputStream().flush();
                    in.read();
                });
                try (ReshClient client = ReshClient.connect("127.0.0.1", server.getLocalPort())) {
                    assertThatThrownBy(() -> client.call("hello", Duration.ofSeconds(10)))
                            .isInstanceOf(UncheckedIOException.class)
                            .hasMessageEndingWith(": 127.0.0.1:" + server.getLocalPort() + " answered with bytes that are not a"
                                    + " resh reply (" + why[i] + "); is it resh's front door?");
                }
                peer.get(10, TimeUnit.SECONDS);
            }
        }
    }

    /**
     * A server that dies with the request unread resets the connection: that is a lost connection with an unknown
     * outcome, not a peer that speaks another protocol.
     */
    @Test
    void shouldCallAResetALostConnection() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = servedOnce(server, s -> {
                s.getInputStream().readNBytes(4); // the request came; the rest stays unread
                s.setSoLinger(true, 0); // close with a reset, as a killed process's kernel does
            });
            try (ReshClient client = ReshClient.connect("127.0.0.1", server.getLocalPort())) {
                assertThatThrownBy(() -> client.call("hello", Duration.ofSeconds(10)))
                        .isInstanceOf(UncheckedIOException.class)
                        .hasMessageContaining("127.0.0.1:" + server.getLocalPort())
                        .hasMessageEndingWith("the outcome of this request is unknown")
                        .hasMessageNotContaining("not a resh reply");
            }
            peer.get(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A server of another protocol that waits for more (redis reads an inline command up to a newline) never
     * answers: the timeout says that the peer has sent nothing at all, and asks whether it is a front door, or
     * a paused host.
     */
    @Test
    void shouldAskWhetherASilentPeerIsAFrontDoor() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = servedOnce(silent, s -> {
                s.getInputStream().readAllBytes(); // reads everything, answers nothing, until the client closes
            });
            try (ReshClient client = ReshClient.connect("127.0.0.1", silent.getLocalPort())) {
                assertThatThrownBy(() -> client.call("hello", Duration.ofMillis(300)))
                        .isInstanceOf(UncheckedIOException.class)
                        .hasMessageContaining("no reply within 300 ms; 127.0.0.1:" + silent.getLocalPort()
                                + " has sent no reply on this connection: is it resh's front door?")
                        // A paused cluster host (SIGSTOP) is silent the same way: the question alone misled there.
                        .hasMessageEndingWith("; a paused or overloaded host accepts connections but"
                                + " answers nothing)");
            }
            peer.get(10, TimeUnit.SECONDS);
        }
    }

    /** Once a reply came, a timeout is a slow group: no question about the protocol. */
    @Test
    void shouldNotAskAboutTheProtocolOnceAReplyCame() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Void> peer = servedOnce(server, s -> {
                java.io.DataInputStream in = new java.io.DataInputStream(s.getInputStream());
                int length = in.readInt();
                long correlation = in.readLong();
                in.readNBytes(length - 8);
                java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
                out.writeInt(8 + 1 + 2);
                out.writeLong(correlation);
                out.writeByte(ClientProtocol.STATUS_OK);
                out.write("ok".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                in.readAllBytes(); // the second request stays unanswered
            });
            try (ReshClient client = ReshClient.connect("127.0.0.1", server.getLocalPort())) {
                org.assertj.core.api.Assertions.assertThat(client.call("first", Duration.ofSeconds(10))).isEqualTo("ok");
                assertThatThrownBy(() -> client.call("second", Duration.ofMillis(300)))
                        .isInstanceOf(UncheckedIOException.class)
                        .hasMessageEndingWith("no reply within 300 ms");
            }
            peer.get(10, TimeUnit.SECONDS);
        }
    }

    /** The JDK's message for a name that does not resolve is the name alone: say what it means. */
    @Test
    void shouldSayThatAHostIsUnknown() {
        assertThatThrownBy(() -> ReshClient.connect("no-such-host.invalid", 7400))
                .isInstanceOf(UncheckedIOException.class)
                .hasMessage("java.io.IOException: cannot connect to no-such-host.invalid:7400: unknown host");
    }

    /** A fail-stop read "fail-stop: fail-stop at request #2: ..." on the command line. */
    @Test
    void shouldNameTheStatusOnceWhenTheServersMessageStartsWithIt() {
        org.assertj.core.api.Assertions.assertThat(new ReshRemoteException(ClientProtocol.STATUS_FAIL_STOP,
                "fail-stop at request #2: no reply to #2 reached 2 equal votes").getMessage())
                .isEqualTo("fail-stop at request #2: no reply to #2 reached 2 equal votes");
        org.assertj.core.api.Assertions.assertThat(new ReshRemoteException(ClientProtocol.STATUS_SERVICE_ERROR,
                "java.lang.IllegalArgumentException: bad").getMessage())
                .isEqualTo("service error: java.lang.IllegalArgumentException: bad");
    }

    /** What a peer does with the one connection it accepts. */
    private interface Peer {
        void serve(Socket s) throws java.io.IOException;
    }

    /** Accepts one connection on another thread and hands it to {@code peer}; completes when the peer is done. */
    private static CompletableFuture<Void> servedOnce(ServerSocket server, Peer peer) {
        return CompletableFuture.runAsync(() -> {
            try (Socket s = server.accept()) {
                peer.serve(s);
            } catch (java.io.IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}

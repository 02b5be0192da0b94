package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.JavaCommand;
import io.resh.gateway.testing.Signals;
import io.resh.gateway.testing.UdpCounterServer;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three UDP counter servers (separate JVM processes) behind the gateway in UDP mode. */
@Tag("e2e")
class UdpGatewayTest {
    @RegisterExtension
    final GatewayExtension udp = new GatewayExtension();
    Path trigger;
    DatagramSocket client;

    @BeforeEach
    void start() throws Exception {
        trigger = udp.dir().resolve("corrupt");
        String plain = JavaCommand.yaml(UdpCounterServer.class, "{port}");
        String corruptible = JavaCommand.yaml(UdpCounterServer.class, "{port}", trigger.toString());
        udp.start("""
                group: udp
                replicas: 3
                server:
                  command: [%s, %s, %s]
                  readyTimeout: 20s
                listen: { mode: udp }
                deadline: 2s
                """.formatted(plain, plain, corruptible));
        client = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        client.setSoTimeout(5000);
    }

    @AfterEach
    void stop() {
        client.close();
    }

    private String ask(String request) throws Exception {
        byte[] b = request.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), udp.port()));
        DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
        client.receive(reply);
        return new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8);
    }

    @Test
    void shouldAnswerEachDatagramWithTheVotedReply() throws Exception {
        for (int i = 1; i <= 50; i++) {
            assertThat(ask("INCR a")).isEqualTo("a=" + i);
        }
        assertThat(ask("GET a")).isEqualTo("a=50");
        assertThat(udp.events(GroupEvent.FaultDetected.class)).isEmpty();
    }

    @Test
    void shouldMaskACorruptedDatagramAndRebuildTheReplicaByReplay() throws Exception {
        for (int i = 1; i <= 20; i++) {
            assertThat(ask("INCR a")).isEqualTo("a=" + i);
        }
        Files.writeString(trigger, "x");
        for (int i = 21; i <= 40; i++) {
            assertThat(ask("INCR a")).isEqualTo("a=" + i);
        }
        GroupEvent.FaultDetected fault = udp.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(udp.awaitRecovered(2).replayed()).isGreaterThanOrEqualTo(20);
        for (int i = 41; i <= 45; i++) {
            assertThat(ask("INCR a")).isEqualTo("a=" + i);
        }
        assertThat(udp.events(GroupEvent.FaultDetected.class)).as("the rebuilt replica agrees").hasSize(1);
    }

    /** Netty reads a datagram into 2,048 bytes unless told otherwise: larger requests and replies were cut short. */
    @Test
    void shouldCarryARequestAndReplyLargerThanTwoKilobytesWhole() throws Exception {
        String key = "k".repeat(10_000);
        byte[] b = ("GET " + key).getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(b, b.length, InetAddress.getLoopbackAddress(), udp.port()));
        DatagramPacket reply = new DatagramPacket(new byte[65_536], 65_536);
        client.receive(reply);

        assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8)).isEqualTo(key + "=0");
        assertThat(udp.events(GroupEvent.FaultDetected.class)).isEmpty();
    }

    /**
     * Netty's datagram channel silently skips writing an empty buffer, so an empty request never reached the
     * replicas while the gateway waited for its replies: every later reply went to the request before it, and
     * so to another client.
     */
    @Test
    void shouldNotGiveAnotherClientsReplyToAnEmptyDatagram() throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            other.setSoTimeout(1000);
            other.send(new DatagramPacket(new byte[0], 0, InetAddress.getLoopbackAddress(), udp.port()));

            assertThat(ask("INCR e")).isEqualTo("e=1");
            assertThat(ask("INCR e")).isEqualTo("e=2");
            DatagramPacket leaked = new DatagramPacket(new byte[1500], 1500);
            assertThatThrownBy(() -> other.receive(leaked)).as("the empty datagram's sender gets no one's reply")
                    .isInstanceOf(java.net.SocketTimeoutException.class);
        }
    }

    /**
     * UDP servers drop a datagram they cannot parse (memcached one without its frame header) and answer the
     * next. With datagrams pipelined, that next reply was taken for the dropped one's and went to its sender,
     * every later reply went one request early, to another client, and the replacements, replayed the log,
     * never caught up. One datagram at a time per replica, the dropped one is what every server hangs at.
     */
    @Test
    void shouldNotGiveAnotherClientsReplyWhenTheServersDropADatagram() throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
            other.setSoTimeout(10_000); // the servers are found hung 2 x deadline after the last of them got it
            byte[] ignored = "IGNORE".getBytes(StandardCharsets.UTF_8);
            other.send(new DatagramPacket(ignored, ignored.length, InetAddress.getLoopbackAddress(), udp.port()));
            client.setSoTimeout(10_000);

            String queued = ask("INCR d");
            DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
            other.receive(reply);

            assertThat(new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8).strip())
                    .as("the dropped datagram's sender gets its own error, not another client's reply")
                    .isEqualTo("ERROR resh: 2 replicas hung at request #1 (datagram) before any answered it;"
                            + " it may or may not have taken effect");
            assertThat(queued).startsWith("ERROR resh: request #2 (datagram) was queued behind request #1 (datagram)");
        }
        assertThat(udp.awaitEvent(GroupEvent.PoisonRequest.class, e -> true).sequence()).isEqualTo(1);
        String answer = await().atMost(Duration.ofSeconds(30)).until(() -> ask("INCR d"),
                a -> !a.startsWith("ERROR resh: only"));
        assertThat(answer).as("the queued INCR is in the log and was replayed").isEqualTo("d=2");
    }

    @Test
    void shouldSkipADatagramThatCrashesEveryReplicaAndTheirReplacementsAndServeOn() throws Exception {
        assertThat(ask("INCR c")).isEqualTo("c=1");
        assertThat(ask("EXIT").strip()).isEqualTo("ERROR resh: 2 replicas crashed at request #2 (datagram) before any answered it;"
                + " it may or may not have taken effect");
        assertSkippedAndServedOn("crashed", FaultKind.CRASH);
    }

    @Test
    void shouldSkipADatagramThatHangsEveryReplicaAndTheirReplacementsAndServeOn() throws Exception {
        assertThat(ask("INCR c")).isEqualTo("c=1");
        client.setSoTimeout(10_000); // the servers are found hung 2 x deadline after the last of them got it
        assertThat(ask("SPIN").strip()).isEqualTo("ERROR resh: 2 replicas hung at request #2 (datagram) before any answered it;"
                + " it may or may not have taken effect");
        assertThat(assertSkippedAndServedOn("hung", FaultKind.HANG).evidence()).contains("stuck at request #2 (datagram)");
    }

    /** Request #2 killed or hung ({@code verb}) the servers, then their replacements: skipped, and the group serves on. */
    private GroupEvent.PoisonRequest assertSkippedAndServedOn(String verb, FaultKind kind) throws Exception {
        GroupEvent.PoisonRequest skipped = udp.awaitEvent(GroupEvent.PoisonRequest.class, e -> true);
        assertThat(skipped.sequence()).isEqualTo(2);
        assertThat(skipped.evidence()).contains("request #2 (datagram) " + verb + " 2 replicas before any answered it,"
                + " then 2 of their replacements when replayed", "it is dropped from the replay log");
        // Refused (not executed) until enough replacements are back; then served from the state without it.
        String answer = await().atMost(Duration.ofSeconds(30)).until(() -> ask("INCR c"),
                a -> !a.startsWith("ERROR resh: only"));
        assertThat(answer).isEqualTo("c=2");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(15))
                .until(() -> udp.events(GroupEvent.FaultDetected.class).size() <= 6);
        assertThat(udp.events(GroupEvent.FailStopped.class)).isEmpty();
        assertThat(udp.status().requestsOfDeath()).isEqualTo(1);
        assertThat(udp.events(GroupEvent.FaultDetected.class)).hasSizeBetween(5, 6)
                .allSatisfy(f -> assertThat(f.kind()).isEqualTo(kind));
        return skipped;
    }

    @Test
    void shouldMaskAKilledReplica() throws Exception {
        assertThat(ask("INCR b")).isEqualTo("b=1");
        Signals.send("KILL", udp.pid(0));
        for (int i = 2; i <= 30; i++) {
            assertThat(ask("INCR b")).isEqualTo("b=" + i);
        }
        assertThat(udp.awaitEvent(GroupEvent.FaultDetected.class, f -> f.replica() == 0).kind()).isEqualTo(FaultKind.CRASH);
        udp.awaitRecovered(0);
        assertThat(ask("GET b")).isEqualTo("b=30");
    }
}

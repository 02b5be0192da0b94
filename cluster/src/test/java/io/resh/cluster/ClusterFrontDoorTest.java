package io.resh.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.client.ClientProtocol;
import io.resh.client.ReshClient;
import io.resh.host.testing.ProtocolSocket;
import io.resh.host.testing.TestGroups;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster host's front door, byte by byte, on a single-peer cluster in this JVM: the requests of one
 * socket read go through the Raft log in order, and a bad frame costs its connection, nothing else.
 */
class ClusterFrontDoorTest {
    private static final int MAX_REQUEST_BYTES = 1024;

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    static Path dir;

    private static ClusterNode node;
    private static List<ClusterPeer> peers;

    @BeforeAll
    static void start() {
        peers = Loopback.peers(1);
        node = ClusterNode.start(Loopback.config("h1", peers, dir.resolve("h1"), 1000),
                TestGroups.counter("door", 3, dir).maxRequestBytes(MAX_REQUEST_BYTES).build(), List.of());
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> node.call(utf8("get"), Duration.ofSeconds(5)) != null);
    }

    @AfterAll
    static void stop() {
        if (node != null) {
            node.close();
        }
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static long counter() {
        return Long.parseLong(new String(node.call(utf8("get"), Duration.ofSeconds(10)), StandardCharsets.UTF_8));
    }

    @Test
    void shouldAnswerTheRequestsReadBeforeAMalformedFrameThenRejectIt() throws Exception {
        long before = counter();
        byte[] enveloped = new Envelope(UUID.randomUUID(), 1, utf8("add:1")).encode();
        try (ProtocolSocket bad = ProtocolSocket.connect(node.clientAddress().getPort())) {
            bad.sendTogether(ProtocolSocket.request(1, "add:1"), ProtocolSocket.request(2, enveloped),
                    ProtocolSocket.request(3, "add:1"), ProtocolSocket.malformed(), ProtocolSocket.request(4, "add:100"));

            bad.expectThreeAnsweredThenRejected(before);
        }
        assertThat(counter()).as("request 4, after the bad frame, never reached the log").isEqualTo(before + 3);
    }

    /** A gateway host's configuration has maxFrameBytes, and no maxRequestBytes for the refusal to name. */
    @Test
    void shouldNameTheGatewaysOwnSettingInTheLimit() {
        ClusterNode.RequestLimit gateway = new ClusterNode.RequestLimit(1048576 + GatewayEntry.MAX_OVERHEAD, "maxFrameBytes",
                1048576);

        assertThat(ClusterFrontDoor.maxRequestBytes(gateway)).isEqualTo(1048872);
        assertThat(ClusterFrontDoor.limitSetting(gateway)).isEqualTo("maxFrameBytes 1048576 plus 296 bytes of the cluster's framing");
    }

    @Test
    void shouldRejectAnOversizedFrameAndKeepServingOtherClients() throws Exception {
        int limit = MAX_REQUEST_BYTES + Envelope.HEADER; // an enveloped request of the largest size fits
        try (ReshClient good = ReshClient.connect(Loopback.clientAddresses(peers));
             ProtocolSocket bad = ProtocolSocket.connect(node.clientAddress().getPort())) {
            bad.sendTogether(ProtocolSocket.request(1, "x".repeat(limit + 1)));
            ProtocolSocket.Frame error = bad.read();
            assertThat(error.id()).isZero();
            assertThat(error.status()).isEqualTo(ClientProtocol.STATUS_BAD_REQUEST);
            assertThat(error.text()).isEqualTo("request frame exceeds the limit of " + limit + " bytes (limits.maxRequestBytes "
                    + MAX_REQUEST_BYTES + " plus " + Envelope.HEADER + " bytes of the cluster's framing)");
            assertThat(bad.closedByServer()).isTrue();
            assertThat(good.call("echo-on", Duration.ofSeconds(10))).isEqualTo("echo:echo-on");
        }
    }
}

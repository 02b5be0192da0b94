package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.testing.FlipShim;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.JavaCommand;
import io.resh.gateway.testing.Signals;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three real memcached servers (one behind a byte-flipping shim) behind the memcached text codec. */
@Tag("e2e")
class MemcachedGatewayTest {
    private static final String MEMCACHED = "memcached -p {port} -l 127.0.0.1 -U 0 -u nobody";

    @RegisterExtension
    final GatewayExtension mc = new GatewayExtension();
    Path trigger;

    @BeforeEach
    void start() {
        trigger = mc.dir().resolve("flip");
        String shim = JavaCommand.yaml(FlipShim.class, "{port}", trigger.toString(), "memcached", "-p", "{inner}", "-l",
                "127.0.0.1", "-U", "0", "-u", "nobody");
        mc.start("""
                group: memcached
                server:
                  command: ['%s', '%s', %s]
                  readyTimeout: 20s
                listen: { protocol: memcached }
                deadline: 2s
                """.formatted(MEMCACHED, MEMCACHED, shim));
    }

    /** A line-oriented session: send raw text, read reply lines. */
    static final class Session implements AutoCloseable {
        final Socket socket;
        final BufferedReader in;
        final OutputStream out;

        Session(int port) throws Exception {
            socket = new Socket(InetAddress.getLoopbackAddress(), port);
            socket.setSoTimeout(10_000);
            in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            out = socket.getOutputStream();
        }

        List<String> send(String text, int lines) throws Exception {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            List<String> got = new ArrayList<>();
            for (int i = 0; i < lines; i++) {
                got.add(in.readLine());
            }
            return got;
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void shouldSpeakMemcachedAsOneServerWould() throws Exception {
        try (Session s = new Session(mc.port())) {
            assertThat(s.send("set a 5 0 3\r\nxyz\r\n", 1)).containsExactly("STORED");
            assertThat(s.send("set n 0 60 1 noreply\r\n7\r\nincr n 5\r\n", 1)).as("noreply: no answer, then 12").containsExactly("12");
            assertThat(s.send("get a n missing\r\n", 5)).containsExactly("VALUE a 5 3", "xyz", "VALUE n 0 2", "12", "END");
            List<String> gets = s.send("gets a\r\n", 3);
            assertThat(gets.get(0)).startsWith("VALUE a 5 3 ");
            String cas = gets.get(0).substring("VALUE a 5 3 ".length());
            assertThat(s.send("cas a 0 0 1 " + cas + "\r\nq\r\n", 1)).as("CAS ids agree on every replica").containsExactly("STORED");
            assertThat(s.send("stats\r\n", 1).get(0)).startsWith("SERVER_ERROR resh: 'stats' is not supported");
            assertThat(s.send("delete a\r\nget a\r\n", 2)).containsExactly("DELETED", "END");
        }
        assertThat(mc.events(GroupEvent.FaultDetected.class)).isEmpty();
    }

    @Test
    void shouldMaskACorruptedAndAKilledReplicaAndRebuildThemByReplay() throws Exception {
        try (Session s = new Session(mc.port())) {
            assertThat(s.send("incr c 1\r\n", 1)).containsExactly("NOT_FOUND");
            assertThat(s.send("set c 0 0 1\r\n0\r\n", 1)).containsExactly("STORED");
            for (int i = 1; i <= 20; i++) {
                assertThat(s.send("incr c 1\r\n", 1)).containsExactly(Integer.toString(i));
            }
            Files.writeString(trigger, "x");
            assertThat(s.send("get c\r\n", 3)).containsExactly("VALUE c 0 2", "20", "END");
            mc.awaitAllLive();
            Signals.send("KILL", mc.pid(0));
            for (int i = 21; i <= 40; i++) {
                assertThat(s.send("incr c 1\r\n", 1)).containsExactly(Integer.toString(i));
            }
        }
        mc.awaitEvent(GroupEvent.FaultDetected.class, f -> f.replica() == 0);
        List<GroupEvent.FaultDetected> faults = mc.events(GroupEvent.FaultDetected.class);
        assertThat(faults).extracting(GroupEvent.FaultDetected::replica).containsExactly(2, 0);
        assertThat(faults.get(0).kind()).as("a flipped byte breaks a value or the framing").isIn(FaultKind.DIVERGENCE, FaultKind.PROTOCOL);
        assertThat(faults.get(1).kind()).isEqualTo(FaultKind.CRASH);
        mc.awaitRecovered(0);
        mc.awaitQuiet();
        for (int i = 0; i < 3; i++) {
            try (Session direct = new Session(mc.replicaPort(i))) {
                assertThat(direct.send("get c\r\n", 3)).as("replica %d", i).containsExactly("VALUE c 0 2", "40", "END");
            }
        }
    }
}

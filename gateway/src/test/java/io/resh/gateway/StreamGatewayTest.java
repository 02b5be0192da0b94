package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.stream.StreamSession;
import io.resh.gateway.testing.Commands;
import io.resh.gateway.testing.FlipShim;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.JavaCommand;
import io.resh.gateway.testing.RespClient;
import io.resh.gateway.testing.Signals;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Stream mode, protocol-agnostic: three real redis-server replicas (one behind a byte-flipping shim)
 * used statelessly (PING, ECHO) so that connections don't interact, as stream mode requires.
 */
@Tag("e2e")
class StreamGatewayTest {
    private static final String REDIS = "'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no'";
    /**
     * Only the hang test is about a hang: the others take a deadline long enough that a shim slowed down by a
     * loaded machine (a JVM starting threads for each new connection) is not taken for a hung replica.
     */
    private static final String PATIENT = "5s";
    private static final Pattern FIRST_DIFFERING_BYTES = Pattern.compile(
            "expected .* \\[(\\p{XDigit}{2})\\p{XDigit}*], got .* \\[(\\p{XDigit}{2})\\p{XDigit}*]");

    @RegisterExtension
    final GatewayExtension stream = new GatewayExtension();
    /** Replica 2's shim flips one byte of its next reply when this file appears (see {@link FlipShim}). */
    Path trigger;

    private void start(String deadline) {
        trigger = stream.dir().resolve("flip");
        String shim = JavaCommand.yaml(FlipShim.class, "{port}", trigger.toString(), "redis-server", "--port", "{inner}",
                "--bind", "127.0.0.1", "--save", "\"\"", "--appendonly", "no");
        stream.start("""
                group: stream
                replicas: 3
                server:
                  command: [%s, %s, %s]
                  readyTimeout: 20s
                listen: { mode: stream }
                deadline: %s
                """.formatted(REDIS, REDIS, shim, deadline));
    }

    /**
     * COMMAND DOCS lists a hash table in each redis-server's own order (GATEWAY.md), so no two replicas agree: the
     * one connection closed was logged once per differing replica, which read as that many clients closed.
     */
    @Test
    void shouldLogOneLineForAConnectionNoTwoReplicasAgreeOn() throws Exception {
        stream.start("""
                group: stream
                server: { command: %s }
                listen: { mode: stream }
                deadline: %s
                """.formatted(REDIS, PATIENT));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger log = (Logger) LoggerFactory.getLogger(StreamSession.class);
        logged.start();
        log.addAppender(logged);
        try {
            Socket client = stream.connect();
            client.getOutputStream().write("COMMAND DOCS\r\n".getBytes(StandardCharsets.US_ASCII));
            client.getInputStream().readAllBytes(); // closed as undecidable
            await().atMost(Duration.ofSeconds(10)).until(() -> !closings(logged).isEmpty());

            assertThat(closings(logged)).singleElement().asString().as("both differing replicas on the one line")
                    .satisfies(m -> assertThat(m.split(" differs from ", -1)).hasSize(3));
        } finally {
            log.detachAppender(logged);
        }
    }

    private static java.util.List<String> closings(ListAppender<ILoggingEvent> logged) {
        return logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(m -> m.contains("no 2 replicas agree on its stream")).toList();
    }

    @Test
    void shouldRelayTheAgreedStreamToRedisCli() throws Exception {
        start(PATIENT);
        Commands.Result r = Commands.run(10, null, "redis-cli", "-p", Integer.toString(stream.port()), "ECHO", "hello stream");
        assertThat(r.output().trim()).isEqualTo("hello stream");
        byte[] script = "PING\nECHO one\nECHO two\n".getBytes(StandardCharsets.UTF_8);
        assertThat(Commands.run(10, script, "redis-cli", "-p", Integer.toString(stream.port())).output().lines())
                .containsExactly("PONG", "one", "two");
        assertThat(stream.events(GroupEvent.FaultDetected.class)).isEmpty();
    }

    /**
     * Servers that close the connection after their reply (redis-server after QUIT) end their streams at the
     * same byte: the client gets its end of stream at once, not after the grace that tells a dying server's
     * end from a deliberate one (set to a minute here, far beyond the read timeout).
     */
    @Test
    void shouldEndTheClientStreamAsSoonAsTheReplicasAgreeOnTheEnd() throws Exception {
        System.setProperty(StreamSession.EXIT_GRACE_PROPERTY, "60000");
        try {
            start(PATIENT);
            try (Socket s = stream.connect()) {
                s.getOutputStream().write("PING\r\nQUIT\r\n".getBytes(StandardCharsets.US_ASCII));
                byte[] all = s.getInputStream().readAllBytes(); // up to the end of stream, or the timeout
                assertThat(new String(all, StandardCharsets.US_ASCII)).isEqualTo("+PONG\r\n+OK\r\n");
            }
            assertThat(stream.events(GroupEvent.FaultDetected.class)).isEmpty();
        } finally {
            System.clearProperty(StreamSession.EXIT_GRACE_PROPERTY);
        }
    }

    @Test
    void shouldMaskACorruptedStreamAndRestartTheReplica() throws Exception {
        start(PATIENT);
        try (RespClient c = new RespClient(stream.port())) {
            assertThat(RespClient.text(c.call("ECHO", "before"))).isEqualTo("before");
            Files.writeString(trigger, "x");
            for (int i = 0; i < 20; i++) {
                assertThat(RespClient.text(c.call("ECHO", "value-" + i))).isEqualTo("value-" + i);
            }
        }
        // Replica 2 may still owe its flipped reply when this client has left and the two others have
        // ended their streams: the gateway reads it up to the released bytes all the same.
        assertFlipReportedAndReplicaRestarted();
    }

    /**
     * Regression: replica 2 still owed its (corrupted) replies when the two others agreed on the end of
     * the stream. The gateway used to close every replica connection right then, so the lagging
     * replica's bytes were never compared and its fault went unreported; the client, which had only
     * correct bytes, could not tell. The shim holds replica 2's replies until that point, on cue.
     */
    @Test
    void shouldCompareAReplicaThatLagsPastTheAgreedEnd() throws Exception {
        start(PATIENT);
        Path hold = FlipShim.holdFile(trigger);
        try (Socket s = stream.connect()) {
            echo(s, "before");
            Files.createFile(hold);
            Files.writeString(trigger, "x");
            for (int i = 0; i < 5; i++) {
                echo(s, "value-" + i);
            }
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).as("a clean end, agreed by replicas 0 and 1").isEqualTo(-1);
        }
        assertThat(stream.events(GroupEvent.FaultDetected.class)).as("replica 2 has sent nothing since").isEmpty();
        Files.delete(hold);
        assertFlipReportedAndReplicaRestarted();
    }

    /**
     * Regression: replica 2 lags, sends exactly the bytes replicas 0 and 1 ended their streams at, and
     * then, in a later read, goes on writing. The gateway used to close its connection as soon as it had
     * sent the released bytes, so bytes past the agreed end went unseen. The shim holds replica 2's
     * replies until the client has its end, then sends them and, a moment later, an extra reply.
     */
    @Test
    void shouldReportALaggingReplicaThatContinuesPastTheAgreedEnd() throws Exception {
        start(PATIENT);
        Path hold = FlipShim.holdFile(trigger);
        Path tail = FlipShim.tailFile(trigger);
        Files.writeString(tail, "+EXTRA\r\n");
        Files.createFile(hold);
        long agreed = 0;
        try (Socket s = stream.connect()) {
            for (int i = 0; i < 3; i++) {
                agreed += echo(s, "value-" + i);
            }
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).as("a clean end, agreed by replicas 0 and 1").isEqualTo(-1);
        }
        assertThat(stream.events(GroupEvent.FaultDetected.class)).as("replica 2 has sent nothing since").isEmpty();
        Files.delete(hold);
        GroupEvent.FaultDetected fault = stream.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(tail).as("the shim appended its tail").doesNotExist();
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(fault.evidence()).contains("replica 2 continues past the agreed end at byte " + agreed + ":")
                .contains("got \"+EXTRA\\r\\n\"");
        assertReplica2RestartedAndServing();
    }

    /**
     * A replica that sends every byte replicas 0 and 1 ended their streams at but never ends its own is
     * hung: the gateway waits for its end of stream for at most the deadline, then restarts it. It used
     * to stop reading a replica once it had the released bytes, so a missing end went unnoticed.
     */
    @Test
    void shouldReportAReplicaThatDoesNotEndWhereTheOthersEnded() throws Exception {
        start(PATIENT);
        Path linger = FlipShim.lingerFile(trigger);
        Files.createFile(linger);
        long agreed;
        try (Socket s = stream.connect()) {
            agreed = echo(s, "value-0");
            s.shutdownOutput();
            assertThat(s.getInputStream().read()).as("a clean end, agreed by replicas 0 and 1").isEqualTo(-1);
        }
        GroupEvent.FaultDetected fault = stream.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        Files.delete(linger);
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isEqualTo(FaultKind.HANG);
        assertThat(fault.evidence()).contains("sent the " + agreed + " bytes f+1 replicas ended their streams at,"
                + " but has not ended its stream");
        assertReplica2RestartedAndServing();
    }

    /**
     * Sends ECHO on a raw connection (which, unlike RespClient, can half-close), checks the reply and
     * returns its length.
     */
    private static int echo(Socket s, String value) throws IOException {
        s.getOutputStream().write(RespClient.encode("ECHO".getBytes(StandardCharsets.UTF_8),
                value.getBytes(StandardCharsets.UTF_8)));
        String expected = "$" + value.length() + "\r\n" + value + "\r\n";
        byte[] reply = s.getInputStream().readNBytes(expected.length());
        assertThat(new String(reply, StandardCharsets.UTF_8)).isEqualTo(expected);
        return reply.length;
    }

    /** Replica 2, and only it, was found faulty once; its replacement is up and the gateway answers. */
    private void assertReplica2RestartedAndServing() throws IOException {
        stream.awaitEvent(GroupEvent.ReplicaStarted.class, r -> r.replica() == 2 && r.incarnation() == 2);
        stream.awaitAllLive();
        try (RespClient c = new RespClient(stream.port())) {
            assertThat(RespClient.text(c.call("ECHO", "after"))).isEqualTo("after");
        }
        assertThat(stream.events(GroupEvent.FaultDetected.class)).as("one fault, replica 2's").hasSize(1);
    }

    private void assertFlipReportedAndReplicaRestarted() throws IOException {
        GroupEvent.FaultDetected fault = stream.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(trigger).as("the shim consumed the trigger").doesNotExist();
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(fault.evidence()).contains("replica 2 differs from the voted output at byte");
        Matcher bytes = FIRST_DIFFERING_BYTES.matcher(fault.evidence());
        assertThat(bytes.find()).as(fault.evidence()).isTrue();
        assertThat(Integer.parseInt(bytes.group(1), 16) ^ Integer.parseInt(bytes.group(2), 16))
                .as("the first differing byte is the shim's one flipped bit: %s", fault.evidence()).isEqualTo(1);
        assertReplica2RestartedAndServing();
    }

    @Test
    void shouldMaskAStoppedReplicaWithinTheDeadline() throws Exception {
        start("1s");
        long victim = stream.pid(1);
        try (RespClient c = new RespClient(stream.port())) {
            assertThat(RespClient.text(c.call("ECHO", "a"))).isEqualTo("a");
            Signals.send("STOP", victim);
            for (int i = 0; i < 50; i++) {
                assertThat(RespClient.text(c.call("ECHO", "b" + i))).isEqualTo("b" + i);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !stream.events(GroupEvent.FaultDetected.class).isEmpty());
        } finally {
            ProcessHandle.of(victim).ifPresent(p -> p.destroyForcibly());
        }
        GroupEvent.FaultDetected fault = stream.events(GroupEvent.FaultDetected.class).get(0);
        assertThat(fault.replica()).isEqualTo(1);
        assertThat(fault.kind()).isEqualTo(FaultKind.HANG);
        stream.awaitEvent(GroupEvent.ReplicaStarted.class, r -> r.replica() == 1 && r.incarnation() == 2);
        stream.awaitAllLive();
    }

    /** It quoted Netty's "Connection refused: localhost/127.0.0.1:PORT", which does not say what to change. */
    @Test
    void shouldSayThatReadyNoneConnectedBeforeTheServerListened() throws Exception {
        stream.start("""
                group: early
                replicas: 1
                server: { command: "sh -c 'exec sleep 30' {port}", ready: none }
                listen: { mode: stream }
                """);
        try (Socket client = stream.connect()) {
            client.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            GroupEvent.FaultDetected fault = stream.awaitEvent(GroupEvent.FaultDetected.class, f -> f.replica() == 0);
            assertThat(fault.evidence()).matches("not accepting connections on 127\\.0\\.0\\.1:\\d+ \\(server\\.ready:"
                    + " none connects at once; server\\.ready: tcp waits until the server accepts, up to server\\.readyTimeout\\)");
        }
    }
}

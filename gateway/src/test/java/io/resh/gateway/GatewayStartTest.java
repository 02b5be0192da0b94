package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.ConfigException;
import io.resh.core.ReshException;
import io.resh.gateway.server.Directories;
import io.resh.gateway.testing.GatewayExtension;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/** Start-up failures are one clear line: which replica, what happened, and what its log said last. */
class GatewayStartTest {
    @RegisterExtension
    final GatewayExtension gateway = new GatewayExtension();

    private Gateway start(String command, String extra) {
        return gateway.startOnce("""
                group: broken
                server: { command: %s, readyTimeout: 2s }
                listen: { protocol: line }
                %s
                """.formatted(command, extra));
    }

    /**
     * A program that is not installed failed every replica's start, twice, named a replica instead of the setting,
     * and left the work directory behind "for post-mortem" with nothing in it but the launch lines.
     */
    @Test
    void shouldNameTheSettingWhoseProgramCannotBeRunBeforeStartingAnything() throws Exception {
        Path notExecutable = Files.writeString(gateway.dir().resolve("server.sh"), "#!/bin/sh\n");
        String[][] cases = {
            {"'no-such-server-binary --port {port}'", "",
                "server.command: cannot run 'no-such-server-binary': no such program on the PATH"},
            {"'" + notExecutable + " --port {port}'", "", "server.command: cannot run '" + notExecutable + "': not executable"},
            {"['redis-server --port {port}', '/no/such/server {port}', 'redis-server --port {port}']", "",
                "server.command[1]: cannot run '/no/such/server': no such file"},
        };
        for (String[] c : cases) {
            assertThatThrownBy(() -> start(c[0], c[1])).as(c[0])
                    .isInstanceOf(ConfigException.class)
                    .hasMessage(c[2]);
            assertThat(gateway.dir().resolve("work")).as("%s: no work directory made", c[0]).doesNotExist();
        }
    }

    @RepeatedTest(5)
    void shouldLeaveNoServerRunningWhenAnotherCannotStart() throws Exception {
        // Replica 0 fails at once, while the others are still being started: their processes must not outlive
        // the failed start, and nothing may be written to the work directory once start() has thrown.
        // A relative path is looked up only in the replica's data directory, at its start: it fails there.
        assertThatThrownBy(() -> start("['./no-such-server-binary --port {port}', \"sh -c 'exec sleep 30' {port}\","
                + " \"sh -c 'exec sleep 30' {port}\"]", ""))
                .isInstanceOf(ReshException.class)
                .hasMessageContaining("group broken did not start: replica 0");
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").endsWith("sleep")))
                .as("servers started for the failed gateway").isEmpty();
        Path work = gateway.dir().resolve("work");
        if (Files.exists(work)) {
            Directories.delete(work);
            assertThat(work).as("written to after start() failed").doesNotExist();
        }
    }

    /**
     * The line naming the kept work directory said "4 faults seen" for a gateway of 3 servers: it counted each
     * server's second try as one more fault.
     */
    @Test
    void shouldCountFailedStartsOfItsServersWhenItKeepsItsWorkDirectory() throws Exception {
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger log = (Logger) LoggerFactory.getLogger(Gateway.class);
        logged.start();
        log.addAppender(logged);
        try {
            // Replica 0 fails at both tries; the others are still starting when the start gives up.
            assertThatThrownBy(() -> Gateway.start(GatewayConfig.parse("""
                    group: broken
                    server:
                      command: ["sh -c 'echo no such option >&2; exit 3' {port}", "sh -c 'exec sleep 30' {port}",
                                "sh -c 'exec sleep 30' {port}"]
                      readyTimeout: 20s
                    listen: { protocol: line }
                    """, "broken.yaml"))).isInstanceOf(ReshException.class);
        } finally {
            log.detachAppender(logged);
        }
        List<String> kept = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.contains("kept work directory")).toList();
        assertThat(kept).hasSize(1);
        Matcher m = Pattern.compile("gateway broken: kept work directory (\\S+) for post-mortem: (.*)").matcher(kept.get(0));
        assertThat(m.matches()).as(kept.get(0)).isTrue();
        Path workDir = Path.of(m.group(1));
        try {
            assertThat(m.group(2)).matches("2 failed starts of its 3 servers, the last: replica 0 could not start: exited"
                    + " with code 3 before accepting connections on port \\d+; its log says: no such option \\(log: "
                    + Pattern.quote(workDir.resolve("logs").resolve("replica-0.log").toString()) + "\\)");
        } finally {
            Directories.delete(workDir);
        }
    }

    @Test
    void shouldShowHowAServerExitedAndTheEndOfItsLog() {
        assertThatThrownBy(() -> start("\"sh -c 'echo boom on port $0 >&2; exit 3' {port}\"", ""))
                .isInstanceOf(ReshException.class)
                .hasMessageContaining("exited with code 3 before accepting connections")
                .hasMessageContaining("boom on port");
    }

    /**
     * The message quoted the last ten lines of the log after a line break: redis's four-line config error, the
     * next incarnation's header, and the same four lines again.
     */
    @Test
    void shouldSayWhatARealServerLoggedBeforeItExitedOnOneLine() {
        assertThatThrownBy(() -> start("'redis-server --port {port} --bind 127.0.0.1 --save \"\" --nosuchdirective yes'", ""))
                .isInstanceOf(ReshException.class)
                .satisfies(e -> assertThat(e.getMessage()).as("one line").doesNotContain("\n").doesNotContain("=== replica"))
                .hasMessageContaining("exited with code 1 before accepting connections")
                .hasMessageContaining("its log says: *** FATAL CONFIG FILE ERROR")
                .hasMessageContaining(" | >>> 'nosuchdirective \"yes\"' | Bad directive or wrong number of arguments (log: ")
                .hasMessageMatching(".*\\(log: \\S*replica-\\d\\.log\\)");
    }

    @Test
    void shouldGiveUpOnAServerThatNeverListens() {
        assertThatThrownBy(() -> start("\"sh -c 'exec sleep 30' {port}\"", ""))
                .isInstanceOf(ReshException.class)
                .hasMessageContaining("did not accept connections on port")
                // the setting that waits named, as frameTimeout is: "within 2000 ms" alone did not say what to raise
                .hasMessageContaining("within 2000 ms (server.readyTimeout; raise it for a server that takes longer to start)");
    }

    /** It quoted Netty's "Connection refused: localhost/127.0.0.1:PORT", which does not say what to change. */
    @Test
    void shouldSayThatReadyNoneConnectedBeforeTheServerListened() {
        assertThatThrownBy(() -> gateway.startOnce("""
                group: early
                replicas: 1
                server: { command: "sh -c 'exec sleep 30' {port}", ready: none }
                listen: { protocol: line }
                """))
                .isInstanceOf(ReshException.class)
                .hasMessageMatching("group early did not start: replica 0 failed while the group was starting: start-failure:"
                        + " not accepting connections on 127\\.0\\.0\\.1:\\d+ \\(server\\.ready: none connects at once;"
                        + " server\\.ready: tcp waits until the server accepts, up to server\\.readyTimeout\\)");
    }

    /** Found at the bind, after the servers started, a host that does not resolve said "...:0: null". */
    @Test
    void shouldNameAListenHostThatDoesNotResolveBeforeStartingAnything() {
        assertThatThrownBy(() -> gateway.startOnce("""
                server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no' }
                listen: { protocol: resp, host: no-such-host.invalid }
                """))
                .isInstanceOf(ConfigException.class)
                .hasMessage("listen.host: expected an address of this machine, like 127.0.0.1 or 0.0.0.0 (every interface),"
                        + " got 'no-such-host.invalid', which does not resolve");
        assertThat(gateway.dir().resolve("work")).as("no server started").doesNotExist();
    }

    @Test
    void shouldSayWhenTheListenPortIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String redis = "'redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no'";
            assertThatThrownBy(() -> gateway.startOnce("""
                    server: { command: %s }
                    listen: { protocol: resp, port: %d }
                    """.formatted(redis, taken.getLocalPort())))
                    .isInstanceOf(ReshException.class)
                    .hasMessageContaining("cannot listen on 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(ProcessHandle.current().descendants().filter(p -> p.info().command().orElse("").contains("redis")))
                .as("the replicas it started are gone").isEmpty();
    }
}

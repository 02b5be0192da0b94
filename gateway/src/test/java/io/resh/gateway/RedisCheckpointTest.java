package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.ordered.OrderedMultiplexer;
import io.resh.gateway.server.CheckpointStore;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.RedisReplicas;
import io.resh.gateway.testing.RespClient;
import io.resh.gateway.testing.Signals;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Checkpoints of real redis-servers: their saved state (SAVE, voted by DEBUG DIGEST) lets the gateway cut its replay
 * log, so a group keeps rebuilding killed replicas past {@code replayLogEntries} state-changing requests.
 */
@Tag("e2e")
class RedisCheckpointTest {
    private static final String REDIS = "redis-server --port {port} --bind 127.0.0.1 --save '' --appendonly no"
            + " --enable-debug-command local";

    @RegisterExtension
    final GatewayExtension redis = new GatewayExtension();

    private void start() {
        start(400);
    }

    /** Three servers, a checkpoint every 20 writes, a log of {@code replayLogEntries}. */
    private void start(int replayLogEntries) {
        redis.start("""
                group: redis
                replicas: 3
                server: { command: "%s" }
                listen: { protocol: resp }
                replayLogEntries: %d
                checkpoint: { every: 20, save: SAVE, digest: DEBUG DIGEST, files: dump.rdb }
                """.formatted(REDIS, replayLogEntries));
    }

    /** Without the checkpoints the log would overflow at the 401st of the 407 writes and no replica could be rebuilt. */
    @Test
    void shouldRebuildReplicasFromTheCheckpointOnceTheLogWasCut() throws Exception {
        start();
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 200; i++) {
                assertThat(c.call("SET", "k" + i, "v" + i)).isEqualTo("OK");
                // Not idempotent: a request both in the saved state and replayed after it would count twice.
                assertThat(c.call("INCR", "counter")).isEqualTo((long) i + 1);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().checkpoint() > 0);
            assertThat(redis.status().replayLogOverflowed()).isFalse();
            assertThat(redis.status().replayLogEntries()).as("only what came after the checkpoint").isLessThan(400);
            assertThat(redis.events(GroupEvent.CheckpointStable.class)).isNotEmpty();
            for (int i = 200; i < 207; i++) { // most likely a tail after the last checkpoint, for the replacements to replay
                assertThat(c.call("INCR", "counter")).isEqualTo((long) i + 1);
            }

            // Two of three rebuilt in turn: at the end the replacements are the majority that answers.
            for (int victim : new int[] {0, 1}) {
                long pid = redis.pid(victim);
                Signals.send("KILL", pid);
                GroupEvent.RecoveryCompleted done = redis.awaitRecovered(victim);
                assertThat(redis.pid(victim)).isNotEqualTo(pid);
                assertThat(done.replayed()).as("the log after the checkpoint, not all 407 requests").isLessThan(400L);
            }
            for (int i = 0; i < 200; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).isEqualTo("v" + i);
            }
            assertThat(RespClient.text(c.call("GET", "counter"))).isEqualTo("207");
            assertThat(c.call("INCR", "counter")).isEqualTo(208L);
        }
        RedisReplicas.assertSameData(redis);
    }

    /**
     * A checkpoint taken now covers exactly the requests executed so far, and a second gateway started from it (as a
     * cluster host starts from a Raft snapshot) has the same data and numbers its requests on after it.
     */
    @Test
    void shouldStartAnotherGatewayFromACheckpointTakenNow() throws Exception {
        Gateway first = startWithoutPeriodicCheckpoints();
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 30; i++) {
                assertThat(c.call("SET", "k" + i, "v" + i)).isEqualTo("OK");
                assertThat(c.call("INCR", "counter")).isEqualTo((long) i + 1);
            }
        }
        CheckpointStore.Stored taken = first.checkpointNow().get(20, TimeUnit.SECONDS);
        assertThat(taken.sequence()).as("the digest and the save after the 60 writes").isEqualTo(62);
        assertThat(taken.sums()).containsOnlyKeys("dump.rdb");
        CheckpointStore.Stored kept = keep(taken, redis.dir().resolve("kept"));

        GatewayConfig config = first.config().withPort(0).withWorkDir(redis.dir().resolve("second"));
        try (Gateway second = Gateway.start(config, null, kept);
             RespClient c = new RespClient(second.port())) {
            assertThat(second.status().checkpoint()).isEqualTo(62);
            for (int i = 0; i < 30; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).isEqualTo("v" + i);
            }
            assertThat(c.call("INCR", "counter")).as("not one write lost or applied twice").isEqualTo(31L);
            assertThat(second.status().requests()).isEqualTo(62 + 31);
        }
    }

    @Test
    void shouldRefuseToStartAGatewayFromACheckpointChangedSinceItWasTaken() throws Exception {
        Gateway first = startWithoutPeriodicCheckpoints();
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("SET", "greeting", "hello")).isEqualTo("OK");
        }
        CheckpointStore.Stored kept = keep(first.checkpointNow().get(20, TimeUnit.SECONDS), redis.dir().resolve("kept"));
        Path rdb = kept.dir().resolve("dump.rdb");
        try (RandomAccessFile f = new RandomAccessFile(rdb.toFile(), "rw")) {
            f.seek(f.length() / 2);
            int b = f.read();
            f.seek(f.length() / 2);
            f.write(b ^ 0x10);
        }
        GatewayConfig config = first.config().withPort(0).withWorkDir(redis.dir().resolve("second"));
        assertThatThrownBy(() -> Gateway.start(config, null, kept).close())
                .hasMessageStartingWith("group redis cannot start from the checkpoint at request #3: the checkpoint at"
                        + " request #3 was changed since it was stored: " + rdb + " has SHA-256 ")
                .hasMessageNotContaining("\n");
    }

    /** Without the digest request nothing could check that a server loaded the checkpoint's files. */
    @Test
    void shouldRefuseToStartFromACheckpointWithoutCheckpointInTheConfig() throws Exception {
        Gateway first = startWithoutPeriodicCheckpoints();
        CheckpointStore.Stored kept = keep(first.checkpointNow().get(20, TimeUnit.SECONDS), redis.dir().resolve("kept"));
        GatewayConfig without = GatewayConfig.parse("""
                group: redis
                replicas: 3
                server: { command: "%s" }
                listen: { protocol: resp, port: 0 }
                """.formatted(REDIS), "redis.yaml").withWorkDir(redis.dir().resolve("second"));
        assertThatThrownBy(() -> Gateway.start(without, null, kept).close())
                .hasMessage("group redis cannot start from the checkpoint at request #2: its config has no checkpoint:"
                        + " (put the checkpoint: section back)");
    }

    private Gateway startWithoutPeriodicCheckpoints() {
        return redis.start("""
                group: redis
                replicas: 3
                server: { command: "%s" }
                listen: { protocol: resp }
                checkpoint: { every: 100000, save: SAVE, digest: DEBUG DIGEST, files: dump.rdb }
                """.formatted(REDIS));
    }

    /**
     * With checkpoints, a server left stopped while the log overflowed comes back after the next checkpoint, but that
     * needs 2 of 3 servers to agree on it: with two of them stopped, none comes, and clients are told so.
     */
    @Test
    void shouldSayTheGroupWillNotAnswerAgainWhenTooFewAreLeftToTakeTheCheckpointThatWouldBringTheOthersBack()
            throws Exception {
        start(40);
        try (RespClient c = new RespClient(redis.port())) {
            List<String[]> burst = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                burst.add(new String[] {"INCR", "counter"});
            }
            assertThat(c.pipeline(burst)).last().isEqualTo(200L);
            assertThat(redis.status().replayLogOverflowed()).isTrue();
            Signals.send("KILL", redis.pid(0));
            Signals.send("KILL", redis.pid(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.status().replicas().stream()
                    .filter(r -> r.state().equals("stopped")).count() == 2);
            String why = "only 1 of 3 replicas are healthy and 2 must agree, and the others cannot be rebuilt: the replay"
                    + " log overflowed (it would hold more than replayLogEntries (40) requests) and the checkpoint that"
                    + " would start it again needs 2 healthy replicas; the group will not answer again until the gateway"
                    + " is restarted";
            // A checkpoint still being stored could bring them back, and clients are told to retry until it was.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(c.call("INCR", "counter")).isEqualTo(new RespClient.Error("ERR resh: " + why)));
            assertThat(redis.status().notServing()).isEqualTo(why);
        }
    }

    /** What was logged so far; the appender adds to its list under its own lock, from the gateway's threads. */
    private static List<ILoggingEvent> copy(ListAppender<ILoggingEvent> logged) {
        synchronized (logged) {
            return List.copyOf(logged.list);
        }
    }

    /** A copy of a stored checkpoint elsewhere, as a Raft snapshot keeps one. */
    private static CheckpointStore.Stored keep(CheckpointStore.Stored s, Path dir) throws Exception {
        Files.createDirectories(dir);
        for (String f : s.sums().keySet()) {
            Files.copy(s.dir().resolve(f), dir.resolve(f));
        }
        return new CheckpointStore.Stored(s.sequence(), dir, s.bytes(), s.sums(), s.digest());
    }

    @Test
    void shouldRefuseToStartAReplicaFromACheckpointChangedSinceItWasStored() throws Exception {
        start();
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger log = (Logger) LoggerFactory.getLogger(ServerGroup.class);
        logged.start();
        log.addAppender(logged);
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 40; i++) {
                assertThat(c.call("SET", "k" + i, "v" + i)).isEqualTo("OK");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().checkpoint() > 0);
            long at = redis.status().checkpoint();
            Path rdb = redis.dir().resolve("work").resolve("checkpoints").resolve(Long.toString(at)).resolve("dump.rdb");
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(rdb));
            try (RandomAccessFile f = new RandomAccessFile(rdb.toFile(), "rw")) {
                f.seek(f.length() / 2);
                int b = f.read();
                f.seek(f.length() / 2);
                f.write(b ^ 0x10);
            }
            Signals.send("KILL", redis.pid(2));
            GroupEvent.FaultDetected refused = redis.awaitEvent(GroupEvent.FaultDetected.class,
                    f -> f.kind() == FaultKind.START_FAILURE && f.replica() == 2);
            assertThat(refused.evidence()).contains("the checkpoint at request #" + at + " was changed since it was stored")
                    .contains(rdb.toString());
            // Logged as every fault is, with when it is tried again: one line per failed attempt.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(copy(logged))
                    .filteredOn(e -> e.getFormattedMessage().startsWith("group redis: replica 2 could not start: "))
                    .hasSizeGreaterThanOrEqualTo(2)
                    .allSatisfy(e -> {
                        assertThat(e.getLevel()).isEqualTo(Level.WARN);
                        assertThat(e.getFormattedMessage())
                                .contains("the checkpoint at request #" + at + " was changed since it was stored")
                                .doesNotContain("its log says") // nothing ran: the log's last words are the killed server's
                                .containsPattern("; trying again (at once|in \\d+ ms)$")
                                .doesNotContain("\n");
                    }));
            for (int i = 0; i < 40; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).as("two of three still agree").isEqualTo("v" + i);
            }
        } finally {
            log.detachAppender(logged);
        }
    }

    /** Replica 2's server reads another file than the one saved: started from the checkpoint, it would be empty. */
    @Test
    void shouldRefuseAReplicaWhoseStateAfterStartIsNotTheCheckpoints() throws Exception {
        String other = REDIS + " --dbfilename other.rdb";
        redis.start("""
                group: redis
                replicas: 3
                server: { command: ["%s", "%s", "%s"], readyTimeout: 1s }
                listen: { protocol: resp }
                checkpoint: { every: 20, save: SAVE, digest: DEBUG DIGEST, files: dump.rdb }
                """.formatted(REDIS, REDIS, other));
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 40; i++) {
                assertThat(c.call("SET", "k" + i, "v" + i)).isEqualTo("OK");
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> redis.status().checkpoint() > 0);
            long at = redis.status().checkpoint();
            Signals.send("KILL", redis.pid(2));
            GroupEvent.FaultDetected refused = redis.awaitEvent(GroupEvent.FaultDetected.class,
                    f -> f.kind() == FaultKind.START_FAILURE && f.replica() == 2);
            assertThat(refused.evidence()).contains("its state after loading the checkpoint at request #" + at
                    + " is not the one 2 replicas agreed on: DEBUG answered '+0000000000000000000000000000000000000000")
                    .contains("(asked for 1000 ms, server.readyTimeout)");
            for (int i = 0; i < 40; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).as("two of three still agree").isEqualTo("v" + i);
            }
        }
    }

    /**
     * A burst of pipelined writes overflows a log of 40 while the checkpoint after the 20th is taken (it holds the writes
     * that come meanwhile, 20 of them): a server killed then is not replaced. The next checkpoint starts the log again,
     * and the killed server comes back from it.
     */
    @Test
    void shouldRestartTheLogAtTheNextCheckpointAndBringBackAServerKilledWhileItWasOverflowed() throws Exception {
        start(40);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger log = (Logger) LoggerFactory.getLogger(OrderedMultiplexer.class);
        logged.start();
        log.addAppender(logged);
        try (RespClient c = new RespClient(redis.port())) {
            List<String[]> burst = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                burst.add(new String[] {"SET", "k" + i, "v" + i});
                burst.add(new String[] {"INCR", "counter"});
            }
            List<Object> replies = c.pipeline(burst);
            for (int i = 0; i < 100; i++) {
                assertThat(replies.get(2 * i)).isEqualTo("OK");
                assertThat(replies.get(2 * i + 1)).isEqualTo((long) i + 1);
            }
            assertThat(redis.status().replayLogOverflowed()).isTrue();

            long pid = redis.pid(0);
            Signals.send("KILL", pid);
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.status().replicas().get(0).state().equals("stopped"));
            assertThat(redis.events(GroupEvent.RecoveryStarted.class)).as("no log to rebuild it from yet").isEmpty();

            // Writes go on; one of them is followed by the next checkpoint, which starts the log again once stored.
            long[] counter = {100};
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(20)).until(() -> {
                assertThat(c.call("INCR", "counter")).isEqualTo(++counter[0]);
                return !redis.status().replayLogOverflowed();
            });
            long at = redis.status().checkpoint();
            assertThat(at).isGreaterThan(200);
            GroupEvent.RecoveryCompleted back = redis.awaitRecovered(0);
            assertThat(redis.pid(0)).isNotEqualTo(pid);
            assertThat(back.replayed()).as("only what came after the checkpoint").isLessThan(40L);
            assertThat(redis.events(GroupEvent.RecoveryStarted.class)).singleElement().satisfies(r -> {
                assertThat(r.replica()).isZero();
                assertThat(r.reason()).isEqualTo("replay log restarted at checkpoint #" + at);
            });
            assertThat(logged.list).map(ILoggingEvent::getFormattedMessage)
                    .contains("group redis: replay log restarted at checkpoint #" + at + ": failed replicas can be rebuilt"
                            + " again from it, and those not replaced while it overflowed are started again");

            for (int i = 0; i < 100; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).isEqualTo("v" + i);
            }
            assertThat(c.call("INCR", "counter")).isEqualTo(counter[0] + 1);
        } finally {
            log.detachAppender(logged);
        }
        assertThat(redis.status().liveReplicas()).isEqualTo(3);
        RedisReplicas.assertSameData(redis);
    }
}

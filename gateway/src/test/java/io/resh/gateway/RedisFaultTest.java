package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.ordered.OrderedMultiplexer;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.RedisWorkload;
import io.resh.gateway.testing.RedisReplicas;
import io.resh.gateway.testing.RespClient;
import io.resh.gateway.testing.Signals;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

/**
 * Real faults in one of three real redis-server replicas while a checked workload runs: the client
 * must see only correct answers, and every replica must end with the same data.
 */
@Tag("e2e")
class RedisFaultTest {
    private static final String REDIS = "redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no --enable-debug-command local";

    @RegisterExtension
    final GatewayExtension redis = new GatewayExtension();

    /** @param deadline short only where a hang must be detected quickly; a loaded machine can lag */
    private void start(String command, String deadline) {
        start(command, deadline, "");
    }

    /** @param more further top-level settings, as YAML lines */
    private void start(String command, String deadline, String more) {
        redis.start("""
                group: redis
                replicas: 3
                server:
                  command: %s
                listen: { port: 0, protocol: resp }
                deadline: %s
                """.formatted(command, deadline) + more);
    }

    @Test
    void shouldMaskAKilledReplicaAndRebuildItByReplay() throws Exception {
        start(REDIS, "2s");
        long victim = redis.pid(1);
        List<RedisWorkload> load = runWorkload(2, 3000);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.get(0).done() > 300);
        Signals.send("KILL", victim);

        finish(load);
        GroupEvent.FaultDetected fault = redis.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(1);
        assertThat(fault.kind()).isEqualTo(FaultKind.CRASH);
        GroupEvent.RecoveryCompleted recovered = redis.awaitRecovered(1);
        assertThat(recovered.replayed()).as("the restarted replica caught up by replay").isGreaterThan(0);
        assertThat(redis.pid(1)).isNotEqualTo(victim);
        RedisReplicas.assertSameData(redis);
    }

    /**
     * A server killed while it owes nothing failed after the last request it answered, as a replica group's idle
     * replica does: it was reported as {@code #2 FAULT crash}, "idle":false, as if request #2 had killed it.
     */
    @Test
    void shouldReportAServerKilledWhileIdleAsIdleAfterTheLastRequestItAnswered() throws Exception {
        start(REDIS, "2s");
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.call("SET", "greeting", "hello")).isEqualTo("OK");
            assertThat(c.call("INCR", "visits")).isEqualTo(1L);
        }
        redis.awaitQuiet(); // the third server has answered #2 too: none owes a reply
        long victim = redis.pid(1);
        Signals.send("KILL", victim);

        GroupEvent.FaultDetected fault = redis.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(1);
        assertThat(fault.kind()).isEqualTo(FaultKind.CRASH);
        assertThat(fault.idle()).as("no request was in flight").isTrue();
        assertThat(fault.sequence()).as("the last request it answered").isEqualTo(2);
        assertThat(fault.at()).as("what resh events shows").isEqualTo("while idle, after request #2");
        assertThat(redis.status().replicas().get(1).lastFault()).as("what resh status shows")
                .startsWith("crash while idle, after request #2: process " + victim + " ");
        assertThat(redis.awaitRecovered(1).replayed()).as("rebuilt by replaying SET and INCR").isEqualTo(2);
        assertThat(redis.events(GroupEvent.FaultDetected.class)).as("one fault, the kill").hasSize(1);
    }

    @Test
    void shouldMaskAStoppedReplicaAsHungAndReplaceIt() throws Exception {
        start(REDIS, "1s");
        long victim = redis.pid(2);
        List<RedisWorkload> load = runWorkload(2, 3000);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.get(0).done() > 300);
        Signals.send("STOP", victim);
        try {
            finish(load);
            redis.awaitRecovered(2);
        } finally {
            ProcessHandle.of(victim).ifPresent(p -> {
                try {
                    Signals.send("CONT", victim);
                } catch (Exception ignored) {
                    // it was killed already
                }
            });
        }
        GroupEvent.FaultDetected fault = redis.events(GroupEvent.FaultDetected.class).get(0);
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isEqualTo(FaultKind.HANG);
        assertThat(redis.status().replicas().get(2).lastFault()).as("what resh status shows: the request, as a replica"
                + " group says it").startsWith("hang at #" + fault.sequence() + ": ");
        await().atMost(Duration.ofSeconds(5)).until(() -> ProcessHandle.of(victim).map(p -> !p.isAlive()).orElse(true));
        assertThat(redis.events(GroupEvent.RecoveryCompleted.class)).extracting(GroupEvent.RecoveryCompleted::replica).contains(2);
        RedisReplicas.assertSameData(redis);
    }

    /**
     * A Lua script that never ends hangs every redis-server, and every replacement that replays it: the "query
     * of death" of a Redis deployment. Pipelined behind a write, as here, it may also hold back the write's reply
     * (redis sends a batch's replies once it has executed the batch), and then the write is suspected first;
     * replayed alone, the write is answered, then the script, replayed alone, hangs the replacements twice and
     * is dropped from the replay log. The group serves on from the state with the write and without the script.
     */
    @Test
    void shouldDropALuaScriptThatNeverEndsAndServeOn() throws Exception {
        start(REDIS, "1s");
        try (RespClient c = new RespClient(redis.port(), 30_000)) {
            assertThat(c.call("SET", "k", "1")).isEqualTo("OK");
            List<Object> replies = c.pipeline(List.of(new String[] {"INCR", "k"}, new String[] {"EVAL", "while true do end", "0"}));
            assertThat(replies).allSatisfy(r -> assertThat(r).isInstanceOf(RespClient.Error.class));
            // (Which of the two its client is told depends on whether a server read both in one batch.)
            assertThat(((RespClient.Error) replies.get(0)).message()).contains("INCR")
                    .endsWith("it may or may not have taken effect");

            GroupEvent.PoisonRequest dropped = redis.awaitEvent(GroupEvent.PoisonRequest.class, e -> true);
            assertThat(dropped.sequence()).isEqualTo(3);
            assertThat(dropped.evidence()).startsWith("request #3 (EVAL) hung 2 replicas before any answered it, then 2 of"
                    + " their replacements when replayed").contains("it is dropped from the replay log");
            Object k = await().atMost(Duration.ofSeconds(30)).until(() -> c.call("GET", "k"),
                    r -> !(r instanceof RespClient.Error e && e.message().contains("replicas are healthy")));
            assertThat(k).isInstanceOf(byte[].class);
            assertThat(new String((byte[]) k, java.nio.charset.StandardCharsets.UTF_8)).as("the INCR took effect").isEqualTo("2");
            assertThat(c.call("INCR", "k")).isEqualTo(3L);
        }
        redis.awaitAllLive();
        assertThat(redis.events(GroupEvent.FailStopped.class)).isEmpty();
        assertThat(redis.status().requestsOfDeath()).isEqualTo(1);
        RedisReplicas.assertSameData(redis);
    }

    /**
     * A reply larger than {@code maxReplyBytes} from every server is one client's error, not the end of the group
     * (before, f+1 servers "breaking the protocol" at one request stopped it for every client): a GET of a big
     * value (a read: the servers are replaced and the group recovers), then a {@code SET ... GET} that returns it
     * (a write: the replacements that replay it cannot answer it either, so it is dropped from the replay log).
     */
    @Test
    void shouldTellTheClientOfAReplyTooLargeToDeliverAndServeOn() throws Exception {
        start(REDIS, "2s", "maxReplyBytes: 1k\n");
        String half = "x".repeat(600);
        try (RespClient c = new RespClient(redis.port(), 30_000)) {
            assertThat(c.call("SET", "k", "1")).isEqualTo("OK");
            assertThat(c.call("SET", "big", half)).isEqualTo("OK");
            assertThat(c.call("APPEND", "big", half)).isEqualTo(1200L);
            Object get = c.call("GET", "big");
            assertThat(get).isInstanceOf(RespClient.Error.class);
            assertThat(((RespClient.Error) get).message()).contains("replicas broke the protocol at request #4 (GET) before"
                    + " any answered it", "reply of 1209 bytes exceeds the limit of 1024 bytes (maxReplyBytes)");
            assertThat(RespClient.text(whenServing(c, "GET", "k"))).isEqualTo("1");

            Object set = c.call("SET", "big", "y", "GET");
            assertThat(set).isInstanceOf(RespClient.Error.class);
            assertThat(((RespClient.Error) set).message()).contains("(SET) before any answered it", "exceeds the limit of 1024"
                    + " bytes").endsWith("it may or may not have taken effect");
            GroupEvent.PoisonRequest dropped = redis.awaitEvent(GroupEvent.PoisonRequest.class, e -> true);
            assertThat(dropped.evidence()).contains("(SET) made 2 replicas break the protocol before any answered it, then 2"
                    + " of their replacements when replayed").contains("it is dropped from the replay log");
            assertThat(whenServing(c, "STRLEN", "big")).as("rebuilt without the SET").isEqualTo(1200L);
            assertThat(c.call("INCR", "k")).isEqualTo(2L);
        }
        redis.awaitAllLive();
        assertThat(redis.events(GroupEvent.FailStopped.class)).isEmpty();
        RedisReplicas.assertSameData(redis);
    }

    /** The reply to {@code command} once the group has healthy replicas again. */
    private static Object whenServing(RespClient c, String... command) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> c.call(command),
                r -> !(r instanceof RespClient.Error e && e.message().contains("replicas are healthy")));
    }

    @Test
    void shouldMaskCorruptedRepliesAndReplaceTheReplica() throws Exception {
        Path trigger = redis.dir().resolve("flip");
        String java = ProcessHandle.current().info().command().orElse("java");
        String shim = "%s -cp %s %s {port} %s redis-server --port {inner} --bind 127.0.0.1 --save '' --appendonly no --enable-debug-command local"
                .formatted(java, System.getProperty("java.class.path"), io.resh.gateway.testing.FlipShim.class.getName(), trigger);
        redis.start("""
                group: redis
                replicas: 3
                server:
                  command:
                    - %s
                    - %s
                    - %s
                listen: { port: 0, protocol: resp }
                """.formatted(yaml(REDIS), yaml(REDIS), yaml(shim)));
        List<RedisWorkload> load = runWorkload(2, 3000);
        await().atMost(Duration.ofSeconds(10)).until(() -> load.get(0).done() > 300);
        Files.writeString(trigger, "flip");

        finish(load);
        assertThat(trigger).doesNotExist();
        GroupEvent.FaultDetected fault = redis.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isIn(FaultKind.DIVERGENCE, FaultKind.PROTOCOL);
        redis.awaitRecovered(2);
        RedisReplicas.assertSameData(redis);
    }

    /**
     * Replies too large to copy (voted where they were read): one replica's copy of a list differs in one byte, put
     * there behind the gateway's back. Every client read, pipelined with small replies, still gets the list that two
     * replicas hold, and the fault names the byte.
     */
    @Test
    void shouldOutvoteALargeReplyThatDiffersInOneByte() throws Exception {
        start(REDIS, "2s");
        List<String> big = new ArrayList<>(); // a 200 KB reply: written to the client as it lies
        List<String> medium = new ArrayList<>(); // 40 KB: copied into the batch of replies around it
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 100; i++) {
                big.add(("big-" + i + "-").repeat(400).substring(0, 2000));
                medium.add(("medium-" + i + "-").repeat(100).substring(0, 400));
                assertThat(c.call("RPUSH", "big", big.get(i))).isEqualTo((long) i + 1);
                assertThat(c.call("RPUSH", "medium", medium.get(i))).isEqualTo((long) i + 1);
            }
            assertThat(texts(c.call("LRANGE", "big", "0", "-1"))).isEqualTo(big);
            String corrupted = big.get(57).substring(0, 1000) + "#" + big.get(57).substring(1001);
            try (RespClient direct = new RespClient(redis.replicaPort(2))) {
                assertThat(direct.call("LSET", "big", "57", corrupted)).isEqualTo("OK");
            }
            for (int round = 0; round < 3; round++) {
                List<Object> replies = c.pipeline(List.of(new String[] {"LRANGE", "big", "0", "-1"},
                        new String[] {"GET", "nothing"}, new String[] {"LRANGE", "medium", "0", "-1"},
                        new String[] {"LLEN", "big"}, new String[] {"LRANGE", "big", "0", "-1"}));
                assertThat(texts(replies.get(0))).as("round %d", round).isEqualTo(big);
                assertThat(replies.get(1)).isNull();
                assertThat(texts(replies.get(2))).isEqualTo(medium);
                assertThat(replies.get(3)).isEqualTo(100L);
                assertThat(texts(replies.get(4))).isEqualTo(big);
            }
        }
        GroupEvent.FaultDetected fault = redis.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(2);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);
        // "*100\r\n", then 57 elements of "$2000\r\n" + 2000 bytes + "\r\n", then the element's header and 1000 bytes
        int at = 6 + 57 * 2009 + 7 + 1000;
        assertThat(fault.evidence()).contains("(LRANGE)").contains("at byte " + at + " (expected 200906 bytes, got 200906)");
        redis.awaitRecovered(2);
        RedisReplicas.assertSameData(redis);
    }

    @SuppressWarnings("unchecked")
    private static List<String> texts(Object reply) {
        return ((List<Object>) reply).stream().map(RespClient::text).toList();
    }

    @Test
    void shouldKeepServingButStopRebuildingOnceTheReplayLogOverflowed() throws Exception {
        redis.start("""
                group: redis
                server: { command: %s }
                listen: { protocol: resp }
                replayLogEntries: 50
                """.formatted(yaml(REDIS)));
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        Logger log = (Logger) LoggerFactory.getLogger(OrderedMultiplexer.class);
        logged.start();
        log.addAppender(logged);
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 60; i++) {
                assertThat(c.call("SET", "k" + i, "v" + i)).isEqualTo("OK");
            }
            assertThat(redis.status().replayLogOverflowed()).isTrue();
            assertThat(logged.list).map(ILoggingEvent::getFormattedMessage).as("which group, with several in one log")
                    .anySatisfy(m -> assertThat(m).startsWith("group redis: replay log overflowed at request #51: "));
            log.detachAppender(logged);
            Signals.send("KILL", redis.pid(0));
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.status().replicas().get(0).state().equals("stopped"));
            for (int i = 0; i < 60; i++) {
                assertThat(RespClient.text(c.call("GET", "k" + i))).as("two of three still agree").isEqualTo("v" + i);
            }
            assertThat(redis.status().notServing()).isNull();
        }
        assertThat(redis.events(GroupEvent.RecoveryStarted.class)).as("a replacement could not be brought in sync").isEmpty();
        assertThat(redis.status().liveReplicas()).isEqualTo(2);
    }

    /**
     * Once the log overflowed, without checkpoints, a group that lost f+1 servers never answers again: its clients
     * were told to retry shortly, forever, and its status said it served.
     */
    @Test
    void shouldSayTheGroupWillNotAnswerAgainOnceTooFewAreLeftAndTheLogOverflowed() throws Exception {
        redis.start("""
                group: ovf
                server: { command: %s }
                listen: { protocol: resp }
                replayLogEntries: 10
                """.formatted(yaml(REDIS)));
        try (RespClient c = new RespClient(redis.port())) {
            for (int i = 0; i < 12; i++) {
                assertThat(c.call("INCR", "n")).isEqualTo(i + 1L);
            }
            assertThat(redis.status().replayLogOverflowed()).isTrue();
            Signals.send("KILL", redis.pid(0));
            Signals.send("KILL", redis.pid(1));
            await().atMost(Duration.ofSeconds(5)).until(() -> redis.status().replicas().stream()
                    .filter(r -> r.state().equals("stopped")).count() == 2);
            String why = "only 1 of 3 replicas are healthy and 2 must agree, and the others cannot be rebuilt: the replay"
                    + " log overflowed (it would hold more than replayLogEntries (10) requests); the group will not answer"
                    + " again until the gateway is restarted";
            assertThat(c.call("INCR", "n")).isEqualTo(new RespClient.Error("ERR resh: " + why));
            assertThat(c.call("GET", "n")).as("a read too").isEqualTo(new RespClient.Error("ERR resh: " + why));
            assertThat(redis.status().notServing()).isEqualTo(why);
        }
    }

    private final List<Future<?>> running = new ArrayList<>();

    private List<RedisWorkload> runWorkload(int n, int operations) {
        List<RedisWorkload> load = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            RedisWorkload w = new RedisWorkload(redis.port(), "w" + i + ":", operations, 20_000);
            load.add(w);
            running.add(redis.clientThreads().submit(w));
        }
        return load;
    }

    private void finish(List<RedisWorkload> load) throws Exception {
        for (Future<?> f : running) {
            f.get(30, TimeUnit.SECONDS);
        }
        for (RedisWorkload w : load) {
            assertThat(w.failure()).as("workload error").isNull();
            assertThat(w.wrong()).as("replies that differ from one correct Redis").isEmpty();
            assertThat(w.done()).isGreaterThan(1000);
        }
    }

    private static String yaml(String text) {
        return "'" + text.replace("'", "''") + "'";
    }
}

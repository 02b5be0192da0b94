package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import io.resh.core.GroupEvent;
import io.resh.core.ReshException;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The admin API against a real TMR group of replica processes. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AdminServerTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();

    private ReplicaGroup group;
    private AdminServer admin;
    private AdminCalls calls;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        group = ReplicaGroup.start(TestGroups.counter("api", 3, dir).build());
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group));
        calls = new AdminCalls(admin);
    }

    @AfterAll
    void stop() {
        if (admin != null) {
            admin.close();
        }
        if (group != null) {
            group.close();
        }
    }

    private JsonNode replica(int i) {
        return calls.json("/api/groups/api").get("replicas").get(i);
    }

    private List<JsonNode> events() {
        return StreamSupport.stream(calls.json("/api/events?limit=1000").spliterator(), false).toList();
    }

    private void awaitAllActive() {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(calls.json("/api/groups/api").get("replicas"))
                .allSatisfy(r -> assertThat(r.get("state").asText()).isEqualTo("active")));
    }

    @Test
    void shouldAnswer401WithoutOrWithAWrongTokenAndLogEachRejection() {
        Logger handlerLog = (Logger) LoggerFactory.getLogger(AdminHandler.class);
        ListAppender<ILoggingEvent> seen = new ListAppender<>();
        seen.start();
        handlerLog.addAppender(seen);
        awaitAllActive();
        long pidBefore = replica(0).get("pid").asLong();
        try {
            HttpResponse<String> none = calls.send("GET", "/api/groups", null, null);
            HttpResponse<String> wrong = calls.send("GET", "/api/groups", null, "Bearer " + "0".repeat(64));
            HttpResponse<String> basic = calls.send("POST", "/api/groups/api/inject", "{\"fault\":\"crash\",\"replica\":0}",
                    "Basic " + admin.token());
            HttpResponse<String> metrics = calls.send("GET", "/metrics", null, "Bearer");

            assertThat(List.of(none, wrong, basic, metrics)).allSatisfy(r -> {
                assertThat(r.statusCode()).isEqualTo(401);
                assertThat(r.headers().firstValue("WWW-Authenticate")).hasValue("Bearer realm=\"resh\"");
                assertThat(AdminCalls.parse(r.body()).get("error").asText()).contains("Authorization: Bearer");
            });
            assertThat(none.body()).contains("no Authorization header");
            assertThat(wrong.body()).contains("wrong token");
            assertThat(seen.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anySatisfy(m -> assertThat(m).contains("rejected GET /api/groups").contains("no Authorization header"))
                    .anySatisfy(m -> assertThat(m).contains("rejected GET /api/groups").contains("wrong token"))
                    .anySatisfy(m -> assertThat(m).contains("rejected POST /api/groups/api/inject"))
                    .noneSatisfy(m -> assertThat(m).contains(admin.token()));
            assertThat(calls.metric("resh_admin_unauthorized_total")).isGreaterThanOrEqualTo(4);
            assertThat(replica(0).get("pid").asLong()).as("the rejected inject did nothing").isEqualTo(pidBefore);
        } finally {
            handlerLog.detachAppender(seen);
        }
    }

    @Test
    void shouldServeTheDashboardPageWithoutDataAndPinItsScript() {
        HttpResponse<String> page = calls.send("GET", "/", null, null);

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/html"));
        assertThat(page.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(v -> assertThat(v).contains("script-src 'sha256-").contains("connect-src 'self'"));
        assertThat(page.body()).contains("<title>resh").doesNotContain(admin.token());
    }

    @Test
    void shouldListTheGroupWithItsReplicas() {
        JsonNode groups = calls.json("/api/groups");

        assertThat(groups).hasSize(1);
        JsonNode g = groups.get(0);
        assertThat(g.get("name").asText()).isEqualTo("api");
        assertThat(g.get("n").asInt()).isEqualTo(3);
        assertThat(g.get("f").asInt()).isEqualTo(1);
        assertThat(g.get("state").asText()).isEqualTo("serving");
        assertThat(g.get("replicas")).hasSize(3).allSatisfy(r -> {
            assertThat(r.get("pid").asLong()).isPositive();
            assertThat(r.get("reputation").asDouble()).isBetween(0.0, 1.0);
            assertThat(r.has("core")).isTrue();
        });
        JsonNode supervision = g.get("supervision");
        assertThat(supervision.get("redundancy").asText()).isEqualTo("n=3");
        assertThat(supervision.get("adaptive").asBoolean()).isFalse();
        assertThat(supervision.get("versions")).hasSize(1).allSatisfy(v -> {
            assertThat(v.get("label").asText()).isNotEmpty();
            assertThat(v.get("quarantined").asBoolean()).isFalse();
            assertThat(v.get("reputation").asDouble()).isBetween(0.0, 1.0);
        });
        assertThat(supervision.get("cores").isArray()).isTrue();
        assertThat(calls.json("/api/faults")).extracting(f -> f.get("fault").asText())
                .contains("crash", "hang", "reply-corruption", "state-corruption");
    }

    @Test
    void shouldDetectAndRecoverAHangInjectedThroughTheApi() {
        awaitAllActive();
        long pidBefore = replica(2).get("pid").asLong();
        int incarnationBefore = replica(2).get("incarnation").asInt();

        HttpResponse<String> r = calls.send("POST", "/api/groups/api/inject", "{\"fault\":\"hang\",\"replica\":2}");

        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        assertThat(AdminCalls.parse(r.body()).get("detail").asText()).contains("SIGSTOP").contains(Long.toString(pidBefore));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(events()).anySatisfy(e -> {
                assertThat(e.get("type").asText()).isEqualTo("fault");
                assertThat(e.get("kind").asText()).isEqualTo("hang");
                assertThat(e.get("replica").asInt()).isEqualTo(2);
            });
            assertThat(events()).anySatisfy(e -> {
                assertThat(e.get("type").asText()).isEqualTo("recovered");
                assertThat(e.get("replica").asInt()).isEqualTo(2);
            });
            JsonNode now = replica(2);
            assertThat(now.get("state").asText()).isEqualTo("active");
            assertThat(now.get("incarnation").asInt()).isEqualTo(incarnationBefore + 1);
            assertThat(now.get("pid").asLong()).isNotEqualTo(pidBefore);
        });
        assertThat(replica(2).get("reputation").asDouble()).isLessThan(1.0);
        assertThat(group.call("get".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10))).isNotEmpty();
    }

    @Test
    void shouldRestartAReplicaGracefullyWithoutCountingAFault() {
        awaitAllActive();
        JsonNode before = replica(0);
        long pidBefore = before.get("pid").asLong();
        long eventsBefore = events().size();

        HttpResponse<String> r = calls.send("POST", "/api/groups/api/replicas/0/restart", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(AdminCalls.parse(r.body()).get("detail").asText()).contains("pid " + pidBefore + " ")
                .containsPattern("replaced by pid \\d+|being replaced by a new process").doesNotContain("to be assigned");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            JsonNode now = replica(0);
            assertThat(now.get("pid").asLong()).isNotEqualTo(pidBefore);
            assertThat(now.get("state").asText()).isEqualTo("active");
            assertThat(now.get("incarnation").asInt()).isEqualTo(before.get("incarnation").asInt() + 1);
        });
        JsonNode now = replica(0);
        assertThat(now.get("faults").asLong()).isEqualTo(before.get("faults").asLong());
        assertThat(now.get("reputation").asDouble()).isGreaterThanOrEqualTo(before.get("reputation").asDouble());
        List<JsonNode> since = events().subList((int) Math.min(eventsBefore, events().size()), events().size());
        assertThat(since).filteredOn(e -> e.path("replica").asInt(-1) == 0)
                .noneSatisfy(e -> assertThat(e.get("type").asText()).isIn("fault", "injected"));
        assertThat(since).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("recovery-started");
            assertThat(e.get("replica").asInt()).isZero();
            assertThat(e.get("reason").asText()).contains("operator");
        });
    }

    @Test
    void shouldSetTheRejuvenationPeriodAndShowItInTheStatus() {
        assertThat(calls.json("/api/groups/api").at("/supervision/rejuvenationPeriod").asText()).isEqualTo("off");
        try {
            HttpResponse<String> set = calls.send("PUT", "/api/groups/api/rejuvenation", "{\"period\":\"10m\"}");

            assertThat(set.statusCode()).as(set.body()).isEqualTo(200);
            assertThat(AdminCalls.parse(set.body()).get("period").asText()).isEqualTo("10m");
            JsonNode supervision = calls.json("/api/groups/api").get("supervision");
            assertThat(supervision.get("rejuvenationPeriod").asText()).isEqualTo("10m");
            assertThat(supervision.get("rejuvenationSeconds").asDouble()).isEqualTo(600.0);
        } finally {
            // "0" as well as "off": a too-short period is told "expected 0 (off) or at least 500ms"
            HttpResponse<String> off = calls.send("PUT", "/api/groups/api/rejuvenation", "{\"period\":\"0\"}");
            assertThat(off.statusCode()).as(off.body()).isEqualTo(200);
            assertThat(AdminCalls.parse(off.body()).get("period").asText()).isEqualTo("off");
        }
        assertThat(calls.json("/api/groups/api").at("/supervision/rejuvenationSeconds").asDouble()).isZero();
    }

    @Test
    void shouldTakeACheckpointOnRequest() {
        for (int i = 0; i < 5; i++) {
            group.call("add:2".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        }
        awaitAllActive();
        long last = calls.json("/api/groups/api").get("lastSequence").asLong();

        HttpResponse<String> r = calls.send("POST", "/api/groups/api/checkpoint", null);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        assertThat(AdminCalls.parse(r.body()).get("sequence").asLong()).isGreaterThanOrEqualTo(last);
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(calls.json("/api/groups/api").at("/checkpoint/sequence").asLong()).isGreaterThanOrEqualTo(last));
        assertThat(events()).anySatisfy(e -> {
            assertThat(e.get("type").asText()).isEqualTo("checkpoint");
            assertThat(e.get("digest").asText()).hasSize(64);
        });

        HttpResponse<String> again = calls.send("POST", "/api/groups/api/checkpoint", null);
        assertThat(again.statusCode()).as("nothing new since: no checkpoint is started, no event promised")
                .isEqualTo(200);
        assertThat(AdminCalls.parse(again.body()).get("status").asText()).isEqualTo("stable");
        assertThat(again.body()).contains("already covers every request");
    }

    @Test
    void shouldRefuseBadActionsWithAClearMessage() {
        HttpResponse<String> unknownFault = calls.send("POST", "/api/groups/api/inject", "{\"fault\":\"meteor\",\"replica\":0}");
        HttpResponse<String> noReplica = calls.send("POST", "/api/groups/api/inject", "{\"fault\":\"crash\",\"replica\":7}");
        HttpResponse<String> notJson = calls.send("POST", "/api/groups/api/inject", "crash please");
        HttpResponse<String> wrongMethod = calls.send("GET", "/api/groups/api/inject", null);
        HttpResponse<String> noGroup = calls.send("GET", "/api/groups/nope", null);
        HttpResponse<String> badPeriod = calls.send("PUT", "/api/groups/api/rejuvenation", "{\"period\":\"soon\"}");
        HttpResponse<String> noPeriod = calls.send("PUT", "/api/groups/api/rejuvenation", "{}");
        HttpResponse<String> shortPeriod = calls.send("PUT", "/api/groups/api/rejuvenation", "{\"period\":\"100ms\"}");
        HttpResponse<String> tooBig = calls.send("POST", "/api/groups/api/inject", "{\"x\":\"" + "a".repeat(100_000) + "\"}");
        HttpResponse<String> extraField = calls.send("POST", "/api/groups/api/inject", "{\"fault\":\"crash\",\"replica\":0,\"extra\":1}");
        HttpResponse<String> misspeltPeriod = calls.send("PUT", "/api/groups/api/rejuvenation", "{\"periode\":\"10m\"}");

        assertThat(unknownFault.statusCode()).isEqualTo(400);
        assertThat(unknownFault.body()).contains("unknown fault 'meteor'").contains("reply-corruption");
        assertThat(noReplica.statusCode()).isEqualTo(404);
        assertThat(noReplica.body()).contains("replicas 0 to 2");
        assertThat(notJson.statusCode()).isEqualTo(400);
        assertThat(notJson.body()).contains("not valid JSON");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(noGroup.statusCode()).isEqualTo(404);
        assertThat(noGroup.body()).contains("no group 'nope'").contains("api");
        assertThat(badPeriod.statusCode()).isEqualTo(400);
        assertThat(badPeriod.body()).contains("period").contains("'soon'");
        assertThat(noPeriod.statusCode()).isEqualTo(400);
        assertThat(shortPeriod.statusCode()).as("a bad value, not a conflict with the group").isEqualTo(400);
        assertThat(shortPeriod.body()).contains("at least 500ms");
        assertThat(tooBig.statusCode()).isEqualTo(413);
        assertThat(AdminCalls.parse(tooBig.body()).get("error").asText()).contains("larger than 64 KiB");
        assertThat(extraField.statusCode()).isEqualTo(400);
        assertThat(AdminCalls.parse(extraField.body()).get("error").asText())
                .isEqualTo("unknown field \"extra\" in the body; this call takes \"fault\", \"replica\", \"arg\"");
        assertThat(misspeltPeriod.statusCode()).isEqualTo(400);
        assertThat(AdminCalls.parse(misspeltPeriod.body()).get("error").asText()).startsWith("unknown field \"periode\"");
    }

    /**
     * The path was decoded before it was split into segments, so "api%2Fcheckpoint" reached group api's checkpoint
     * route (and took a checkpoint) where it names a group "api/checkpoint", of which there is none.
     */
    @Test
    void shouldTakeAnEncodedSlashAsPartOfANameNotAsASeparator() {
        HttpResponse<String> unknown = calls.send("GET", "/api/groups/nope", null);
        HttpResponse<String> action = calls.send("POST", "/api/groups/api%2Fcheckpoint", null);
        HttpResponse<String> status = calls.send("GET", "/api/groups/a%2Fb", null);
        HttpResponse<String> gateway = calls.send("GET", "/api/gateways/a%2Fb", null);

        assertThat(List.of(unknown, action, status, gateway)).allSatisfy(r -> assertThat(r.statusCode()).as(r.body()).isEqualTo(404));
        String noGroup = AdminCalls.parse(unknown.body()).get("error").asText();
        assertThat(AdminCalls.parse(action.body()).get("error").asText()).isEqualTo(noGroup.replace("'nope'", "'api/checkpoint'"));
        assertThat(AdminCalls.parse(status.body()).get("error").asText()).isEqualTo(noGroup.replace("'nope'", "'a/b'"));
        assertThat(AdminCalls.parse(gateway.body()).get("error").asText()).isEqualTo("no gateway 'a/b'; gateways: none");
        assertThat(calls.json("/api/groups/%61pi").get("name").asText()).as("other escapes still decoded").isEqualTo("api");
        assertThat(calls.json("/api/groups/api/").get("name").asText()).isEqualTo("api");
        assertThat(calls.send("GET", "/api/groups/api/checkpoint", null).statusCode()).as("the route itself").isEqualTo(405);
    }

    @Test
    void shouldNameTheAddressWhenItsPortIsTaken(@TempDir Path other) {
        AdminConfig taken = AdminConfig.defaults().withDirectory(other).withListen("127.0.0.1", admin.port());

        assertThatThrownBy(() -> AdminServer.start(taken, List.of(group))).isInstanceOf(ReshException.class)
                .hasMessageContaining("cannot listen on 127.0.0.1:" + admin.port());
        assertThat(calls.json("/api/groups")).hasSize(1);
    }

    @Test
    void shouldWriteItsUrlForTheCliAndRemoveItOnClose(@TempDir Path other) throws Exception {
        AdminServer second = AdminServer.start(AdminConfig.defaults().withDirectory(other), List.of());
        Path endpoint = other.resolve("admin.url");
        assertThat(Files.readString(endpoint).trim()).isEqualTo(second.url());

        second.close();

        assertThat(endpoint).doesNotExist();
    }

    /** Two servers on one machine: the one started last stops first, and the CLI finds the other one again. */
    @Test
    void shouldPutBackTheUrlOfAServerStillRunningWhenItStops(@TempDir Path other) throws Exception {
        Path endpoint = other.resolve("admin.url");
        AdminServer first = AdminServer.start(AdminConfig.defaults().withDirectory(other), List.of());
        AdminServer second = AdminServer.start(AdminConfig.defaults().withDirectory(other), List.of());
        try {
            assertThat(Files.readString(endpoint).trim()).isEqualTo(second.url());
            second.close();
            assertThat(Files.readString(endpoint).trim()).as("the first still runs").isEqualTo(first.url());
        } finally {
            first.close();
        }
        assertThat(endpoint).doesNotExist();
    }

    /**
     * Each server keeps a record of its own, named by its process and port, beside admin.url: the second one
     * overwrote the first's URL, and the CLI could not tell that two ran.
     */
    @Test
    void shouldKeepARecordPerRunningServerAndRemoveOnlyItsOwn(@TempDir Path other) throws Exception {
        AdminConfig config = AdminConfig.defaults().withDirectory(other);
        AdminServer first = AdminServer.start(config, List.of(group));
        AdminServer second = AdminServer.start(config, List.of());
        long pid = ProcessHandle.current().pid();
        try {
            assertThat(RunningServers.of(config).live()).extracting(RunningServers.Server::url, RunningServers.Server::name)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(first.url(), "api"),
                            org.assertj.core.groups.Tuple.tuple(second.url(), ""));
            assertThat(other.resolve("servers").resolve(pid + "-" + first.port() + ".json")).exists();

            first.close();

            assertThat(RunningServers.of(config).live()).extracting(RunningServers.Server::url)
                    .containsExactly(second.url());
            assertThat(Files.readString(other.resolve("admin.url")).trim()).isEqualTo(second.url());
        } finally {
            first.close();
            second.close();
        }
        assertThat(RunningServers.of(config).live()).isEmpty();
        assertThat(other.resolve("admin.url")).doesNotExist();
    }

    /**
     * Two servers of one home (two resh serve of one config, on other ports) append to one event log, and nothing
     * said which wrote a line: each line names its writer as its record does, by pid and URL.
     */
    @Test
    void shouldNameTheServerThatWroteEachLineOfASharedEventLog(@TempDir Path other) throws Exception {
        AdminConfig config = AdminConfig.defaults().withDirectory(other);
        ScriptedGateway one = new ScriptedGateway("kv", "{\"group\":\"kv\",\"replicas\":[]}");
        ScriptedGateway two = new ScriptedGateway("kv", "{\"group\":\"kv\",\"replicas\":[]}");
        AdminServer first = AdminServer.start(config, List.of(), null, List.of(one));
        AdminServer second = AdminServer.start(config, List.of(), null, List.of(two));
        Path log = config.eventLog();
        try {
            long now = System.currentTimeMillis();
            one.emit(new GroupEvent.FaultDetected(now, "kv", 0, -1, 7, io.resh.core.FaultKind.CRASH, "exited"));
            two.emit(new GroupEvent.FaultDetected(now, "kv", 1, -1, 9, io.resh.core.FaultKind.HANG, "silent"));
            await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(log) && Files.readAllLines(log).size() == 2);

            Map<Integer, JsonNode> byReplica = new java.util.HashMap<>();
            for (String line : Files.readAllLines(log)) {
                JsonNode e = AdminCalls.parse(line);
                byReplica.put(e.get("replica").asInt(), e);
            }
            long pid = ProcessHandle.current().pid();
            assertThat(byReplica.get(0).get("server")).isEqualTo(AdminCalls.parse("{\"pid\":" + pid + ",\"url\":\""
                    + first.url() + "\"}"));
            assertThat(byReplica.get(1).get("server")).isEqualTo(AdminCalls.parse("{\"pid\":" + pid + ",\"url\":\""
                    + second.url() + "\"}"));
            assertThat(new AdminCalls(second).json("/api/events").get(0).get("server").get("url").asText())
                    .as("the API's events are the log's lines").isEqualTo(second.url());
        } finally {
            first.close();
            second.close();
        }
    }

    /**
     * A record whose process is gone, or whose pid now belongs to another process (started at another time), is
     * no server: it is deleted, and admin.url, which named it, names the server still running.
     */
    @Test
    void shouldDropTheRecordOfAProcessThatIsNoLongerTheServer(@TempDir Path other) throws Exception {
        AdminConfig config = AdminConfig.defaults().withDirectory(other);
        AdminServer running = AdminServer.start(config, List.of());
        AdminServer reused = AdminServer.start(config, List.of());
        Path record = other.resolve("servers").resolve(ProcessHandle.current().pid() + "-" + reused.port() + ".json");
        String url = reused.url();
        Path copy = other.resolve("record.json");
        Files.copy(record, copy);
        reused.close();
        // What a server killed with SIGKILL leaves behind, its pid since taken by a process started later.
        Files.writeString(record, Files.readString(copy).replaceAll("\"processStarted\" : \\d+", "\"processStarted\" : 1"));
        Files.writeString(other.resolve("admin.url"), url + "\n");
        try {
            assertThat(RunningServers.of(config).live()).extracting(RunningServers.Server::url)
                    .containsExactly(running.url());
            assertThat(record).doesNotExist();
            assertThat(Files.readString(other.resolve("admin.url")).trim()).isEqualTo(running.url());
        } finally {
            running.close();
        }
    }

    /**
     * Closing the server ends the event streams it serves, so that a follower (resh events --follow) stops
     * too. A stream opened by Java's HTTP client, which asks to upgrade to HTTP/2 first, outlived close().
     */
    @Test
    void shouldEndItsEventStreamsWhenClosed(@TempDir Path other) throws Exception {
        AdminServer second = AdminServer.start(AdminConfig.defaults().withDirectory(other), List.of(group));
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        CompletableFuture<Void> ended;
        try {
            HttpRequest req = HttpRequest.newBuilder(URI.create(second.url() + "api/events/stream"))
                    .header("Authorization", "Bearer " + second.token()).build();
            HttpResponse<java.util.stream.Stream<String>> r = HttpClient.newHttpClient().send(req,
                    HttpResponse.BodyHandlers.ofLines());
            ended = CompletableFuture.runAsync(() -> {
                try {
                    r.body().forEach(lines::add);
                } catch (java.io.UncheckedIOException e) {
                    lines.add("(stream failed: " + e.getMessage() + ")"); // closed mid-stream: ended as well
                }
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: sample"));
        } finally {
            second.close();
        }

        assertThat(ended).as("the stream ends once the server is closed").succeedsWithin(Duration.ofSeconds(10));
    }

    @Test
    void shouldListOnlyTheEventTypesAskedForAndRefuseAnUnknownTypeWithTheKnownOnes() {
        awaitAllActive();
        group.faults().inject(io.resh.core.InjectedFault.SLOW, 0, 1).join(); // an "injected" event
        group.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));
        assertThat(calls.send("POST", "/api/groups/api/checkpoint", null).statusCode()).isEqualTo(202); // a "checkpoint"
        await().atMost(Duration.ofSeconds(20)).until(() -> events().stream().anyMatch(e -> e.get("type").asText().equals("checkpoint")));

        List<String> types = StreamSupport.stream(calls.json("/api/events?limit=1000&type=injected,recovered")
                .spliterator(), false).map(e -> e.get("type").asText()).toList();
        assertThat(types).contains("injected").allSatisfy(t -> assertThat(t).isIn("injected", "recovered"));
        assertThat(calls.json("/api/events?type=rollback&type=fail-stop")).as("repeated, like comma-separated").isEmpty();

        for (String path : List.of("/api/events?type=fault,faults", "/api/events/stream?type=faults&backlog=5")) {
            HttpResponse<String> r = calls.send("GET", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(400);
            assertThat(AdminCalls.parse(r.body()).get("error").asText()).as(path)
                    .startsWith("query parameter 'type': expected event types among fault, injected, recovery-started,")
                    .endsWith(", got 'faults'")
                    .doesNotContain("\n");
        }
    }

    /** resh events --follow --group with a misspelt name waited in silence: the stream opened and sent nothing. */
    @Test
    void shouldAnswerAnUnknownGroupWith404AsTheListDoesAlsoForTheStream() throws Exception {
        awaitAllActive();
        for (String path : List.of("/api/events?group=nosuch", "/api/events/stream?group=nosuch&backlog=5")) {
            HttpResponse<String> r = calls.send("GET", path, null);
            assertThat(r.statusCode()).as(path).isEqualTo(404);
            assertThat(AdminCalls.parse(r.body()).get("error").asText()).as(path).startsWith("no group 'nosuch'; groups: ");
        }
    }

    /** resh events --follow --type recovered: the stream carries only those events (and the samples). */
    @Test
    void shouldStreamOnlyTheEventTypesAskedFor() throws Exception {
        awaitAllActive();
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpRequest req = HttpRequest.newBuilder(URI.create(admin.url() + "api/events/stream?backlog=0&type=recovered"))
                .header("Authorization", "Bearer " + admin.token()).build();
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient()
                .sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get(10, java.util.concurrent.TimeUnit.SECONDS);
        Thread reader = new Thread(() -> {
            try {
                response.body().forEach(lines::add);
            } catch (java.io.UncheckedIOException closed) {
                // the test closed the stream: not a failure for Awaitility to report from this thread
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: ready"));

            group.faults().inject(io.resh.core.InjectedFault.SLOW, 0, 1).get(10, java.util.concurrent.TimeUnit.SECONDS);
            HttpResponse<String> r = calls.send("POST", "/api/groups/api/replicas/2/restart", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

            // Events reach the stream in order: once "recovered" is there, the injection and the restart's
            // recovery-started and replica-started went before it, and were left out.
            await().atMost(Duration.ofSeconds(30)).until(() -> lines.stream().anyMatch(l -> l.contains("\"type\":\"recovered\"")));
            assertThat(List.copyOf(lines)).filteredOn(l -> l.startsWith("data: ") && l.contains("\"type\":"))
                    .isNotEmpty().allSatisfy(l -> assertThat(l).contains("\"type\":\"recovered\""));
        } finally {
            response.body().close();
        }
    }

    @Test
    void shouldStreamEventsAndSamplesAsTheyHappen() throws Exception {
        BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        HttpRequest req = HttpRequest.newBuilder(URI.create(admin.url() + "api/events/stream?backlog=5"))
                .header("Authorization", "Bearer " + admin.token()).build();
        CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> open =
                HttpClient.newHttpClient().sendAsync(req, HttpResponse.BodyHandlers.ofLines());
        HttpResponse<java.util.stream.Stream<String>> response = open.get(10, java.util.concurrent.TimeUnit.SECONDS);
        Thread reader = new Thread(() -> response.body().forEach(lines::add), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
            await().atMost(Duration.ofSeconds(10)).until(() -> lines.contains("event: ready"));

            group.faults().inject(io.resh.core.InjectedFault.SLOW, 1, 1); // a harmless event: "injected"
            group.call("add:1".getBytes(StandardCharsets.UTF_8), Duration.ofSeconds(10));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                List<String> seen = List.copyOf(lines);
                int ready = seen.indexOf("event: ready");
                assertThat(seen.subList(ready, seen.size())).anySatisfy(l ->
                        assertThat(l).startsWith("data: ").contains("\"type\":\"injected\"").contains("\"fault\":\"slow\""));
                assertThat(seen).contains("event: sample");
            });
        } finally {
            response.body().close();
        }
    }

    /**
     * A client that sees "recovered" on the stream and asks for the status at once finds the replica active
     * in it: the admin takes a fresh status after such an event, before the stream carries it, and answers
     * the status call once that status is in (instead of one sampled up to half a second before).
     */
    @Test
    void shouldShowARecoveryInTheStatusAsSoonAsItsEventIsOnTheStream() throws Exception {
        awaitAllActive();
        JsonNode before = replica(1);
        CompletableFuture<JsonNode> statusOnRecovered = new CompletableFuture<>();
        HttpRequest req = HttpRequest.newBuilder(URI.create(admin.url() + "api/events/stream?backlog=0"))
                .header("Authorization", "Bearer " + admin.token()).build();
        HttpResponse<java.util.stream.Stream<String>> response = HttpClient.newHttpClient()
                .sendAsync(req, HttpResponse.BodyHandlers.ofLines()).get(10, java.util.concurrent.TimeUnit.SECONDS);
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> response.body().forEach(line -> {
            if (line.equals("event: ready")) {
                ready.complete(null);
            } else if (line.startsWith("data: ") && !statusOnRecovered.isDone()) {
                JsonNode e = AdminCalls.parse(line.substring(6));
                if (e.path("type").asText().equals("recovered") && e.path("replica").asInt(-1) == 1) {
                    try {
                        statusOnRecovered.complete(replica(1)); // at once, on the thread that read the event
                    } catch (RuntimeException | AssertionError failed) {
                        statusOnRecovered.completeExceptionally(failed);
                    }
                }
            }
        }), "sse-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            ready.get(10, java.util.concurrent.TimeUnit.SECONDS);

            HttpResponse<String> r = calls.send("POST", "/api/groups/api/replicas/1/restart", null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(202);

            JsonNode now = statusOnRecovered.get(30, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(now.get("state").asText()).isEqualTo("active");
            assertThat(now.get("incarnation").asInt()).isEqualTo(before.get("incarnation").asInt() + 1);
            assertThat(now.get("pid").asLong()).isNotEqualTo(before.get("pid").asLong());
        } finally {
            response.body().close();
        }
    }
}

package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StatusCommandTest {
    private AdminFixture fixture;

    @BeforeAll
    void start(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        fixture = new AdminFixture("status", dir);
    }

    @AfterAll
    void stop() {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void shouldPrintTheGroupAndATableOfItsReplicas() {
        AdminFixture.Run r = fixture.run(StatusCommand.class);

        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("status  TMR (N=3, masks f=1)  SERVING")
                .contains("REPLICA  STATE   CORE  PID");
        assertThat(r.out().lines().filter(l -> l.matches("  [0-2]  +active .*"))).hasSize(3);
    }

    /**
     * Two --url of servers that are not cluster hosts printed, on stdout, that /api/cluster (a path never typed)
     * does not apply to either, with the exit status of a host that did not answer.
     */
    @Test
    void shouldSayThatSeveralUrlsAreForClusterHostsWhenNoneIsOne() {
        String url = fixture.admin.url();
        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, "--url", url, "--url", url,
                "--token-file", fixture.admin.tokenFile().toString());

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.out()).isEmpty();
        assertThat(r.err().strip()).isEqualTo("resh status: --url: more than one asks cluster hosts, and none of these"
                + " servers runs on one (their configs have no cluster: section); give one --url per resh status");
    }

    /** A name with a space made the request URL invalid, and the HTTP client's error quoted that URL. */
    @Test
    void shouldAskTheServerForAGroupNameThatNeedsEscaping() {
        AdminFixture.Run r = fixture.run(StatusCommand.class, "-g", "no such");

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).isEqualTo("resh status: admin API answered 404: no group 'no such'; groups: status");
    }

    @Test
    void shouldPrintTheApiJsonWithJson() throws Exception {
        AdminFixture.Run r = fixture.run(StatusCommand.class, "--json");

        JsonNode groups = new ObjectMapper().readTree(r.out());
        assertThat(groups).hasSize(1);
        assertThat(groups.get(0).get("replicas")).hasSize(3);
    }

    @Test
    void shouldSayInOneLineThatTheTokenWasRejected(@TempDir Path dir) throws Exception {
        Path wrong = Files.writeString(dir.resolve("wrong.token"), "f".repeat(64));

        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, "--url", fixture.admin.url(),
                "--token-file", wrong.toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err().strip()).startsWith("resh status: the admin API at").contains("rejected the token")
                .doesNotContain("\n");
    }

    @Test
    void shouldSayWhenNoServerAnswers() {
        AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, "--url", "http://127.0.0.1:1/",
                "--token-file", fixture.admin.tokenFile().toString());

        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("cannot reach the admin API at http://127.0.0.1:1");
    }

    /** A group's client port answers an HTTP request with a binary error frame, which the JDK quotes raw. */
    @Test
    void shouldSayThatAPortThatIsNotAnAdminApiDoesNotSpeakHttp() throws Exception {
        try (ServerSocket frontDoor = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Thread peer = new Thread(() -> {
                try (Socket s = frontDoor.accept()) {
                    s.getInputStream().readNBytes(4);
                    s.getOutputStream().write(new byte[] {0, 0, 0, 12, 0, 0, 0, 0, 0, 0, 0, 0, 4, 'b', 'a', 'd'});
                    s.getOutputStream().flush();
                } catch (IOException ignored) {
                    // the client went away first
                }
            }, "fake-front-door");
            peer.start();
            AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, "--url", "http://127.0.0.1:"
                    + frontDoor.getLocalPort() + "/", "--token-file", fixture.admin.tokenFile().toString());
            peer.join(10_000);

            assertThat(r.exit()).isEqualTo(1);
            assertThat(r.err().strip()).isEqualTo("resh status: what answers at http://127.0.0.1:" + frontDoor.getLocalPort()
                    + " does not speak HTTP: that is not an admin API (a group's client port, perhaps); use the URL `resh"
                    + " serve` printed after 'admin:'");
        }
    }

    /**
     * An adaptive group asleep in DMR was printed as "TMR (N=3, masks f=1)", then as "now DMR (N=3, masks f=1)": DMR
     * detects a fault but masks none.
     */
    @Test
    void shouldSayWhichModeAnAdaptiveGroupRunsNow() {
        String out = groupPrinted("{\"name\":\"ad\",\"n\":3,\"f\":1,"
                + "\"state\":\"serving\",\"replicas\":[],\"supervision\":{\"redundancy\":\"dmr\",\"adaptive\":true}}");

        assertThat(out).startsWith("ad  adaptive DMR/TMR, now DMR (N=3, one dormant: detects, masks none)  SERVING");
        String tmr = groupPrinted("{\"name\":\"ad\",\"n\":3,\"f\":1,"
                + "\"state\":\"serving\",\"replicas\":[],\"supervision\":{\"redundancy\":\"tmr\",\"adaptive\":true}}");
        assertThat(tmr).startsWith("ad  adaptive DMR/TMR, now TMR (N=3, masks f=1)  SERVING");
    }

    /** Requests of death skipped are counted on the group's line, and only when there were any. */
    @Test
    void shouldCountRequestsOfDeathOnlyWhenThereWereAny() {
        String group = "{\"name\":\"kv\",\"n\":3,\"f\":1,\"state\":\"serving\",\"replicas\":[],"
                + "\"checkpoint\":{\"sequence\":10,\"ageSeconds\":1},\"logLength\":2,\"pending\":0,";
        String none = groupPrinted(group
                + "\"counters\":{\"requests\":12,\"replies\":12,\"recoveries\":0,\"poison-requests\":0}}");
        String two = groupPrinted(group
                + "\"counters\":{\"requests\":12,\"replies\":10,\"recoveries\":6,\"faults.crash\":6,\"poison-requests\":2}}");

        assertThat(none).contains("  requests 12  voted 12  faults 0  recoveries 0  checkpoint #10")
                .doesNotContain("death");
        assertThat(two).contains("  requests 12  voted 10  faults 6  recoveries 6  requests of death 2  checkpoint #10");
    }

    /**
     * A DMR group that rolled back and a request the service refused: the line said "voted 2 ... faults 0
     * recoveries 2", as if requests were lost and replicas replaced for nothing.
     */
    @Test
    void shouldCountServiceErrorsAndDmrRollbacks(@TempDir Path dir) {
        try (io.resh.host.ReplicaGroup dmr = io.resh.host.ReplicaGroup.start(
                io.resh.host.testing.TestGroups.counter("rolled", 2, dir).build());
             io.resh.admin.AdminServer admin = io.resh.admin.AdminServer.start(
                     io.resh.admin.AdminConfig.defaults().withDirectory(dir.resolve("admin")), List.of(dmr))) {
            java.time.Duration timeout = java.time.Duration.ofSeconds(20);
            dmr.call("add:1".getBytes(java.nio.charset.StandardCharsets.UTF_8), timeout);
            dmr.faults().corruptNextReply(1, 3).join();
            assertThat(dmr.call("add:1".getBytes(java.nio.charset.StandardCharsets.UTF_8), timeout))
                    .asString(java.nio.charset.StandardCharsets.UTF_8).isEqualTo("2");
            assertThat(org.assertj.core.api.Assertions.catchThrowable(
                    () -> dmr.call("fail".getBytes(java.nio.charset.StandardCharsets.UTF_8), timeout)))
                    .isInstanceOf(io.resh.host.ServiceErrorException.class);

            org.awaitility.Awaitility.await().atMost(timeout).untilAsserted(() -> {
                AdminFixture.Run r = AdminFixture.runExactly(StatusCommand.class, "--url", admin.url(),
                        "--token-file", admin.tokenFile().toString());
                assertThat(r.out()).as(r.err()).contains("  requests 3  voted 2  service errors 1  faults 0  recoveries 2"
                        + "  rollbacks 1  checkpoint #");
            });
        }
    }

    /**
     * A group that failed stop was printed as FAILED and the command exited 0: {@code resh status && ...} in a health
     * check passed. The exit status says it now, apart from the 1 of a server that could not be asked.
     */
    @Test
    void shouldExitWithItsOwnStatusWhenAGroupShownFailedStop(@TempDir Path dir) {
        try (io.resh.host.ReplicaGroup failing = io.resh.host.ReplicaGroup.start(
                io.resh.host.testing.TestGroups.counter("stopped", 3, dir).build());
             io.resh.admin.AdminServer admin = io.resh.admin.AdminServer.start(
                     io.resh.admin.AdminConfig.defaults().withDirectory(dir.resolve("admin")), List.of(failing))) {
            String[] asked = {"--url", admin.url(), "--token-file", admin.tokenFile().toString()};
            AdminFixture.Run serving = AdminFixture.runExactly(StatusCommand.class, asked);
            assertThat(serving.exit()).as(serving.out() + serving.err()).isZero();

            // Every replica answers with its own clock: no two replies agree, and the group fails stop.
            org.assertj.core.api.Assertions.catchThrowable(() -> failing.submit("clock".getBytes(
                    java.nio.charset.StandardCharsets.UTF_8)).get(20, java.util.concurrent.TimeUnit.SECONDS));
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> failing.status().failed() != null);

            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).untilAsserted(() -> {
                AdminFixture.Run table = AdminFixture.runExactly(StatusCommand.class, asked);
                assertThat(table.out()).as(table.err()).startsWith("stopped  TMR (N=3, masks f=1)  FAILED: ");
                assertThat(table.exit()).as(table.out()).isEqualTo(3);
            });
            AdminFixture.Run json = AdminFixture.runExactly(StatusCommand.class, "--json", asked[0], asked[1], asked[2], asked[3]);
            assertThat(AdminFixture.parse(json.out()).get(0).get("state").asText()).isEqualTo("failed");
            assertThat(json.exit()).as("with --json too").isEqualTo(3);
            AdminFixture.Run other = fixture.run(StatusCommand.class);
            assertThat(other.exit()).as("a server whose group serves").isZero();
        }
    }

    /** A gateway that failed stop or cannot be seen into counts as not serving, as a group does. */
    @Test
    void shouldCountAGatewayThatFailedStopOrIsUnreachableAsNotServing() {
        com.fasterxml.jackson.databind.JsonNode none = AdminFixture.parse("[]");
        String gateway = "{\"group\":\"redis\",\"mode\":\"ordered\",\"failStop\":%s,\"replicas\":[]%s}";

        assertThat(StatusCommand.allServing(none, AdminFixture.parse("[" + String.format(gateway, "null", "") + "]"))).isTrue();
        assertThat(StatusCommand.allServing(none, AdminFixture.parse("[" + String.format(gateway, "\"no quorum\"", "") + "]")))
                .isFalse();
        assertThat(StatusCommand.allServing(none, AdminFixture.parse("[" + String.format(gateway, "null",
                ",\"unreachable\":\"gateway event loop stopped\"") + "]"))).isFalse();
        assertThat(StatusCommand.allServing(AdminFixture.parse("[{\"name\":\"kv\",\"state\":\"starting\"}]"), null)).isFalse();
    }

    /**
     * A gateway with fewer than f+1 live servers answers nothing voted, though it did not stop: it was shown SERVING,
     * with exit status 0, while every request got an error.
     */
    @Test
    void shouldCountAGatewayWithTooFewLiveServersAsNotServingAndSayWhy() {
        String why = "only 1 of 3 replicas are healthy and 2 must agree, and the others cannot be rebuilt: the replay log"
                + " overflowed (it would hold more than replayLogEntries (10) requests); the group will not answer again"
                + " until the gateway is restarted";
        String gateway = gatewayStatus(12, 0, 0, true) + "\"notServing\":\"" + why + "\"}";

        assertThat(StatusCommand.allServing(AdminFixture.parse("[]"), AdminFixture.parse("[" + gateway + "]"))).isFalse();
        assertThat(gatewayPrinted(gateway).lines().findFirst().orElseThrow())
                .endsWith("resp on 127.0.0.1:6380  NOT SERVING: " + why);
        String serving = gatewayStatus(12, 0, 0, false) + "\"notServing\":null}";
        assertThat(StatusCommand.allServing(AdminFixture.parse("[]"), AdminFixture.parse("[" + serving + "]"))).isTrue();
        assertThat(gatewayPrinted(serving).lines().findFirst().orElseThrow()).endsWith("  SERVING");
    }

    /** A gateway's requests of death (dropped from its replay log) are counted on its line, and only when there were any. */
    @Test
    void shouldCountAGatewaysRequestsOfDeathOnlyWhenThereWereAny() {
        String gateway = gatewayStatus(5, 2, 4, false);
        String none = gatewayPrinted(gateway + "\"requestsOfDeath\":0}");
        String one = gatewayPrinted(gateway + "\"requestsOfDeath\":1}");

        assertThat(none).contains("  clients 1  requests 5  in flight 0  undecided 2  replay log 4 entries")
                .doesNotContain("death");
        assertThat(one).contains("  clients 1  requests 5  in flight 0  undecided 2  requests of death 1  replay log"
                + " 4 entries");
        assertThat(none + one).doesNotContain("REPLAY");
    }

    @Test
    void shouldSayWhichCheckpointAGatewaysReplayLogStartsAfter() {
        String gateway = gatewayStatus(500, 0, 7, false) + "\"requestsOfDeath\":0,";
        assertThat(gatewayPrinted(gateway + "\"checkpoint\":493}")).contains("  replay log 7 entries after checkpoint #493"
                + System.lineSeparator());
        assertThat(gatewayPrinted(gateway + "\"checkpoint\":0}")).contains("  replay log 7 entries" + System.lineSeparator());
    }

    /** With checkpoints, an overflowed replay log starts again at the next one: "no longer rebuilt" was wrong there. */
    @Test
    void shouldSayWhetherAnOverflowedReplayLogStartsAgainAtTheNextCheckpoint() {
        String gateway = gatewayStatus(500, 0, 0, true) + "\"requestsOfDeath\":0,\"checkpoint\":0,";

        assertThat(gatewayPrinted(gateway + "\"checkpoints\":true}")).contains("  replay log 0 entries (overflowed: failed"
                + " servers are rebuilt once the next checkpoint is stored)" + System.lineSeparator());
        assertThat(gatewayPrinted(gateway + "\"checkpoints\":false}")).contains("  replay log 0 entries (overflowed: failed"
                + " servers are no longer rebuilt)" + System.lineSeparator());
    }

    /** The status API said why failed servers could not be rebuilt; the table did not show it. */
    @Test
    void shouldShowARequestThatNoReplayGetsPast() {
        String gateway = gatewayStatus(5, 0, 4, false) + "\"requestsOfDeath\":0,"
                + "\"unreplayableRequest\":\"request #3 (EXIT) kills every server that replays it\"}";
        String out = gatewayPrinted(gateway);

        String nl = System.lineSeparator();
        assertThat(out).contains(nl + "  NOT REBUILT BY REPLAY: request #3 (EXIT) kills every server that"
                + " replays it" + nl);
    }

    /**
     * A gateway that never answered a status poll (down when the admin server started) was missing from the API's
     * list, so from this table; it is listed as the API gives it: its name, why and since when.
     */
    @Test
    void shouldShowAGatewayThatNeverReportedItsStatusAsUnreachable() {
        long since = System.currentTimeMillis();
        String out = gatewayPrinted("{\"group\":\"redis\","
                + "\"replicas\":[],\"unreachable\":\"gateway event loop stopped\",\"unreachableSinceMillis\":" + since + "}");

        String nl = System.lineSeparator();
        assertThat(out).isEqualTo("redis  gateway  UNREACHABLE since " + java.time.format.DateTimeFormatter
                .ofPattern("HH:mm:ss").withZone(java.time.ZoneId.systemDefault()).format(java.time.Instant.ofEpochMilli(since))
                + ": gateway event loop stopped" + nl);
    }

    /** The table of a gateway that stopped answering is its last status: its line says so, and since when. */
    @Test
    void shouldSayThatAnUnreachableGatewaysTableIsItsLastStatus() {
        String gateway = gatewayStatus(5, 0, 4, false) + "\"requestsOfDeath\":0,"
                + "\"unreachable\":\"gateway event loop stopped\",\"unreachableSinceMillis\":0}";
        String out = gatewayPrinted(gateway);

        assertThat(out).contains("resp on 127.0.0.1:6380  UNREACHABLE since " + StatusCommand.time(0)
                + " (its last status below): gateway event loop stopped" + System.lineSeparator());
        assertThat(StatusCommand.time(0)).as("not today: with the date").matches("19(69|70)-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d");
    }

    /**
     * {@code ~/.resh} is under {@code $HOME}, as for every other command-line tool. Java's user.home comes from the
     * password database instead, so {@code HOME=/elsewhere resh status} read (and {@code resh serve} overwrote) the
     * account's own files.
     */
    @Test
    void shouldFindTheAdminFilesUnderHome(@TempDir Path home) throws Exception {
        Path dotResh = Files.createDirectories(home.resolve(".resh"));
        Files.writeString(dotResh.resolve("admin.url"), fixture.admin.url());
        Files.copy(fixture.admin.tokenFile(), dotResh.resolve("admin.token"));
        ProcessBuilder pb = new ProcessBuilder(ReshJvm.command(List.of(), "status")).redirectErrorStream(true);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("RESH_ADMIN_URL");
        pb.environment().remove("RESH_ADMIN_TOKEN_FILE");
        assertThatStatusFindsTheServer(pb);
    }

    /** An empty RESH_ADMIN_URL or RESH_ADMIN_TOKEN_FILE counts as unset: the files under ~/.resh are used. */
    @Test
    void shouldTreatAnEmptyEnvironmentVariableAsUnset(@TempDir Path home) throws Exception {
        Path dotResh = Files.createDirectories(home.resolve(".resh"));
        Files.writeString(dotResh.resolve("admin.url"), fixture.admin.url());
        Files.copy(fixture.admin.tokenFile(), dotResh.resolve("admin.token"));
        ProcessBuilder pb = new ProcessBuilder(ReshJvm.command(List.of("-Duser.home=" + home), "status"))
                .redirectErrorStream(true);
        pb.environment().put("RESH_ADMIN_URL", "");
        pb.environment().put("RESH_ADMIN_TOKEN_FILE", "");
        assertThatStatusFindsTheServer(pb);
    }

    /**
     * With three servers running and two serving the group named, "2 of the 3 admin servers running serve group
     * 'kv'" went on to list all three: the one that does not serve it was offered as a choice too.
     */
    @Test
    void shouldNameOnlyTheServersThatServeTheGroupWhenSeveralDo(@TempDir Path home) throws Exception {
        Path servers = Files.createDirectories(home.resolve(".resh").resolve("servers"));
        long pid = ProcessHandle.current().pid(); // alive: the records count as running servers
        String[][] records = {{"kv", "41001"}, {"other", "41002"}, {"kv, logs", "41003"}};
        for (int i = 0; i < records.length; i++) {
            Files.writeString(servers.resolve(pid + "-" + records[i][1] + ".json"), "{\"url\": \"http://127.0.0.1:"
                    + records[i][1] + "/\", \"pid\": " + pid + ", \"name\": \"" + records[i][0]
                    + "\", \"started\": \"2026-01-01T00:00:0" + i + "Z\"}\n");
        }
        ProcessBuilder pb = new ProcessBuilder(ReshJvm.command(List.of("-Duser.home=" + home), "status", "-g", "kv"))
                .redirectErrorStream(true);
        pb.environment().remove("RESH_ADMIN_URL");
        Process status = pb.start();
        try {
            String out = new String(status.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(status.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(status.exitValue()).as(out).isEqualTo(2);
            assertThat(out.strip()).isEqualTo("resh status: 2 of the 3 admin servers running serve group 'kv': kv at"
                    + " http://127.0.0.1:41001/, kv, logs at http://127.0.0.1:41003/; pass --url with the one to use");
        } finally {
            status.destroyForcibly();
        }
    }

    /** Runs {@code resh status} as {@code pb} says and checks that it found the fixture's server. */
    private static void assertThatStatusFindsTheServer(ProcessBuilder pb) throws Exception {
        Process status = pb.start();
        try {
            String out = new String(status.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(status.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
            assertThat(status.exitValue()).as(out).isZero();
            assertThat(out).contains("status  TMR (N=3, masks f=1)  SERVING");
        } finally {
            status.destroyForcibly();
        }
    }

    /** What {@code resh status} prints for a group whose status is {@code json}. */
    private static String groupPrinted(String json) {
        StringWriter out = new StringWriter();
        StatusCommand.print(new PrintWriter(out, true), AdminFixture.parse(json));
        return out.toString();
    }

    /** What {@code resh status} prints for a gateway whose status is {@code json}. */
    /** The start of a RESP gateway's status object, up to its replicas; each test adds the fields it is about and the end. */
    private static String gatewayStatus(long requests, long undecided, long replayLogEntries, boolean overflowed) {
        return "{\"group\":\"redis\",\"mode\":\"ordered\",\"protocol\":\"resp\",\"host\":\"127.0.0.1\",\"port\":6380,"
                + "\"clients\":1,\"requests\":" + requests + ",\"inFlight\":0,\"undecided\":" + undecided + ",\"replayLogEntries\":"
                + replayLogEntries + ",\"replayLogOverflowed\":" + overflowed + ",\"failStop\":null,\"replicas\":[],";
    }

    private static String gatewayPrinted(String json) {
        StringWriter out = new StringWriter();
        StatusCommand.printGateway(new PrintWriter(out, true), AdminFixture.parse(json));
        return out.toString();
    }
}

package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.Http10CounterServer;
import io.resh.gateway.testing.HttpKvServer;
import io.resh.gateway.testing.JavaCommand;
import io.resh.gateway.testing.Signals;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three JDK HttpServer processes behind the gateway in ordered mode with the HTTP/1.1 codec. */
@Tag("e2e")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpGatewayTest {
    /** Static: one gateway for the class, started in {@code @BeforeAll}. */
    @RegisterExtension
    static final GatewayExtension http = new GatewayExtension();
    /** For a test that needs a gateway of its own (one whose servers it crashes). */
    @RegisterExtension
    final GatewayExtension own = new GatewayExtension();
    Path trigger;
    HttpClient client;

    @BeforeAll
    void start() {
        trigger = http.dir().resolve("corrupt");
        String plain = JavaCommand.yaml(HttpKvServer.class, "{port}");
        String corruptible = JavaCommand.yaml(HttpKvServer.class, "{port}", trigger.toString());
        http.start("""
                group: http
                replicas: 3
                server:
                  command: [%s, %s, %s]
                  readyTimeout: 20s
                listen: { protocol: http }
                deadline: 2s
                """.formatted(plain, corruptible, plain));
        client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        return send(http, method, path, body);
    }

    private HttpResponse<String> send(GatewayExtension gateway, String method, String path, String body) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + gateway.port() + path)).timeout(Duration.ofSeconds(10));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldServeRequestsWithBodiesOverKeptAliveConnections() throws Exception {
        assertThat(send("PUT", "/kv/greeting", "hello \u00e9").body()).isEqualTo("stored");
        HttpResponse<String> get = send("GET", "/kv/greeting", null);
        assertThat(get.statusCode()).isEqualTo(200);
        assertThat(get.body()).isEqualTo("hello \u00e9");
        assertThat(get.headers().firstValue("date")).isPresent();
        assertThat(send("GET", "/kv/nothing", null).statusCode()).isEqualTo(404);
    }

    /**
     * A read that crashes every server is not in the replay log, so their replacements are never fed it:
     * there is no crash loop to stop, and the group recovers with its state.
     */
    @Test
    void shouldRecoverWhenAReadCrashesEveryServer() throws Exception {
        List<GroupEvent.FaultDetected> faults = recoverFromAReadEveryServerFailsOn("http-exit", "2s", "/exit");
        assertThat(faults).allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.CRASH));
    }

    /**
     * A read that hangs every server: no f+1 answers to time a hang from, so the servers are found hung when
     * none answers it for 2 x deadline. It is not in the replay log, so the group recovers with its state.
     */
    @Test
    void shouldRecoverWhenAReadHangsEveryServer() throws Exception {
        // times out after 10 s: the error comes first
        List<GroupEvent.FaultDetected> faults = recoverFromAReadEveryServerFailsOn("http-spin", "1s", "/spin");
        assertThat(faults).allSatisfy(f -> assertThat(f.kind()).isEqualTo(FaultKind.HANG))
                .allSatisfy(f -> assertThat(f.evidence()).contains("no reply to request #2 (GET /spin)"));
    }

    /**
     * One write, then {@code GET path} (request #2), which every server crashes or hangs on: its client gets
     * the error, every server is replaced, the next write sees the first, and the group does not stop. Returns
     * the three faults, each at request #2.
     */
    private List<GroupEvent.FaultDetected> recoverFromAReadEveryServerFailsOn(String group, String deadline, String path)
            throws Exception {
        own.start("""
                group: %s
                replicas: 3
                server:
                  command: %s
                  readyTimeout: 20s
                listen: { protocol: http }
                deadline: %s
                """.formatted(group, JavaCommand.yaml(HttpKvServer.class, "{port}"), deadline));
        assertThat(send(own, "POST", "/counter", "").body()).isEqualTo("1");
        HttpResponse<String> failed = send(own, "GET", path, null);
        assertThat(failed.statusCode()).isEqualTo(503);
        assertThat(failed.body()).matches("resh: 2 replicas (crashed|hung) at request #2 \\(GET " + path + "\\) before any"
                + " answered it; it may or may not have taken effect\n");
        for (int i = 0; i < 3; i++) {
            own.awaitRecovered(i);
        }
        assertThat(send(own, "POST", "/counter", "").body()).as("the state survives through replay").isEqualTo("2");
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(10))
                .until(() -> own.events(GroupEvent.FaultDetected.class).size() == 3);
        assertThat(own.events(GroupEvent.FailStopped.class)).isEmpty();
        List<GroupEvent.FaultDetected> faults = own.events(GroupEvent.FaultDetected.class);
        assertThat(faults).allSatisfy(f -> assertThat(f.sequence()).isEqualTo(2));
        return faults;
    }

    @Test
    void shouldSendContinueToAClientThatWaitsForIt() throws Exception {
        try (Socket s = http.connect()) {
            OutputStream out = s.getOutputStream();
            InputStream in = s.getInputStream();
            out.write("PUT /kv/cont HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(in.readNBytes(25), StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 100 Continue\r\n\r\n");
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            byte[] head = in.readNBytes(15);
            assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200 OK");
        }
        assertThat(send("GET", "/kv/cont", null).body()).isEqualTo("abc");
    }

    @Test
    void shouldStreamAChunkedReply() throws Exception {
        HttpResponse<String> big = send("GET", "/big?n=300000", null);
        assertThat(big.statusCode()).isEqualTo(200);
        assertThat(big.body()).hasSize(300_000).startsWith("abcdefghijklmnopqrstuvwxyzabc");
    }

    @Test
    void shouldSequenceConcurrentClientsIntoOneOrder() throws Exception {
        long before = Long.parseLong(send("POST", "/counter", "").body());
        List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            HttpClient own = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            calls.add(own.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + http.port() + "/counter"))
                    .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()));
        }
        Set<Long> seen = new TreeSet<>();
        for (var c : calls) {
            seen.add(Long.parseLong(c.get().body()));
        }
        assertThat(seen).as("every replica counted the same 40 requests in the same order").hasSize(40)
                .allMatch(v -> v > before && v <= before + 40);
    }

    @Test
    void shouldAnswerAnHttp10ClientAndClose() throws Exception {
        try (Socket s = http.connect()) {
            OutputStream out = s.getOutputStream();
            out.write("GET /big?n=10 HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200").contains("Content-Length: 10\r\n", "Connection: close\r\n")
                    .doesNotContainIgnoringCase("transfer-encoding").endsWith("\r\n\r\nabcdefghij");
        }
    }

    /**
     * A server that closes its connection after every response (HTTP/1.0, Python's http.server by default)
     * never reads the requests the gateway pipelined behind the first. That is not a fault: the response said
     * the connection ends there, so the gateway sends what is still owed again on a new connection, live and
     * when a replacement replays the log.
     */
    @Test
    void shouldResendWhatAServerThatClosesAfterEachResponseDidNotRead() throws Exception {
        startHttp10Servers("http10");
        assertThat(pipelinedPosts(10)).as("every POST answered once, in order").containsExactly(
                "1", "2", "3", "4", "5", "6", "7", "8", "9", "10");
        Signals.send("KILL", own.pid(0));
        own.awaitRecovered(0);
        assertThat(pipelinedPosts(1)).as("the replacement replayed all 10 and agrees").containsExactly("11");
        assertThat(own.events(GroupEvent.FaultDetected.class)).as("only the kill is a fault").singleElement()
                .satisfies(f -> assertThat(f.kind()).isEqualTo(FaultKind.CRASH));
    }

    /**
     * Clients keep writing while a server that closes after each response resets its connection: a write
     * then fails with "broken pipe" while the response is still unread. That response is read, not dropped
     * with the connection, and the request written too late goes again on a new connection.
     */
    @Test
    void shouldReadTheResponseOfAServerThatResetWhileTheGatewayWrote() throws Exception {
        startHttp10Servers("http10-reset");
        List<CompletableFuture<List<String>>> clients = new ArrayList<>();
        for (int c = 0; c < 8; c++) {
            clients.add(CompletableFuture.supplyAsync(() -> {
                List<String> statuses = new ArrayList<>();
                for (int i = 0; i < 40; i++) {
                    try (Socket s = own.connect()) {
                        s.getOutputStream().write("GET /counter HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                        statuses.add(new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1)
                                .split("\r\n", 2)[0]);
                    } catch (Exception e) {
                        statuses.add(e.toString());
                    }
                }
                return statuses;
            }, own.clientThreads()));
        }
        for (var c : clients) {
            assertThat(c.get()).allMatch(status -> status.startsWith("HTTP/1.0 200"));
        }
        assertThat(own.events(GroupEvent.FaultDetected.class)).isEmpty();
    }

    /** Sends {@code n} POSTs in one write, the last asking to close, and returns the bodies of the 200s. */
    private List<String> pipelinedPosts(int n) throws Exception {
        StringBuilder requests = new StringBuilder();
        for (int i = 1; i <= n; i++) {
            requests.append("POST /counter HTTP/1.1\r\nHost: x\r\n").append(i == n ? "Connection: close\r\n" : "")
                    .append("\r\n");
        }
        try (Socket s = own.connect()) {
            s.getOutputStream().write(requests.toString().getBytes(StandardCharsets.US_ASCII));
            String responses = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            List<String> bodies = new ArrayList<>();
            Matcher m = Pattern.compile("HTTP/1\\.[01] (\\d{3}) [^\r]*\r\n(?:[^\r]+\r\n)*\r\n(\\d*)").matcher(responses);
            while (m.find()) {
                bodies.add(m.group(1).equals("200") ? m.group(2) : m.group(1) + " " + responses.substring(m.end()));
            }
            return bodies;
        }
    }

    @Test
    void shouldMaskACorruptedResponseAndRebuildTheReplica() throws Exception {
        assertThat(send("PUT", "/kv/before", "1").body()).isEqualTo("stored");
        Files.writeString(trigger, "x");
        HttpResponse<String> r = send("GET", "/kv/before", null);
        assertThat(r.body()).isEqualTo("1");
        GroupEvent.FaultDetected fault = http.awaitEvent(GroupEvent.FaultDetected.class, f -> true);
        assertThat(fault.replica()).isEqualTo(1);
        assertThat(fault.kind()).isEqualTo(FaultKind.DIVERGENCE);
        assertThat(http.awaitRecovered(1).replayed()).isGreaterThan(0);
        assertThat(send("GET", "/kv/before", null).body()).isEqualTo("1");
        assertThat(http.events(GroupEvent.FaultDetected.class)).as("the rebuilt replica agrees").hasSize(1);
    }

    /** Three {@link Http10CounterServer}s, which close the connection after every response, behind a gateway. */
    private void startHttp10Servers(String group) {
        own.start("""
                group: %s
                replicas: 3
                server:
                  command: %s
                  readyTimeout: 20s
                listen: { protocol: http }
                deadline: 2s
                """.formatted(group, JavaCommand.yaml(Http10CounterServer.class, "{port}")));
    }
}

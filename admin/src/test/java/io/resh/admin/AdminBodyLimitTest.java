package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A body over the limit is refused by Netty's aggregator before any route sees it; its 413 was empty, where
 * every other error of the admin API is {@code {"error": "one line"}}.
 */
class AdminBodyLimitTest {
    private static final String LIMIT_ERROR = "the request body is larger than 64 KiB, the most the admin API takes"
            + " (its calls carry a few hundred bytes of JSON)";

    @TempDir
    Path dir;

    private AdminServer admin;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeEach
    void start() {
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of());
        assertThat(admin.url()).startsWith("http://127.0.0.1:");
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    private HttpRequest.Builder post(HttpRequest.BodyPublisher body) {
        return HttpRequest.newBuilder(URI.create(admin.url() + "api/groups/g/inject")).timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + admin.token()).header("Content-Type", "application/json")
                .POST(body);
    }

    private static byte[] body(int bytes) {
        return ("{\"fault\":\"" + "a".repeat(bytes - 12) + "\"}").getBytes(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(HttpRequest request) throws Exception {
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void shouldAnswer413WithTheJsonErrorForABodyWithALength() throws Exception {
        HttpResponse<String> r = send(post(HttpRequest.BodyPublishers.ofByteArray(body(70_000))).build());

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(r.headers().firstValue("Content-Type")).hasValue(HttpReply.JSON);
        assertThat(AdminCalls.parse(r.body()).get("error").asText()).isEqualTo(LIMIT_ERROR);
    }

    @Test
    void shouldAnswer413WithTheJsonErrorForAChunkedBody() throws Exception {
        byte[] big = body(70_000);
        HttpResponse<String> r = send(post(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
                .build());

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(AdminCalls.parse(r.body()).get("error").asText()).isEqualTo(LIMIT_ERROR);
    }

    /**
     * curl asks first (Expect: 100-continue) before a large body, and is refused before it sends it. Over a
     * socket: Java's HttpClient waits for the 100 that never comes.
     */
    @Test
    void shouldAnswer413WithTheJsonErrorBeforeAnExpectedContinue() throws Exception {
        try (Socket s = new Socket("127.0.0.1", admin.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("POST /api/groups/g/inject HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Authorization: Bearer " + admin.token() + "\r\nContent-Type: application/json\r\n"
                    + "Content-Length: 70000\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
            String status = in.readLine();
            int length = -1;
            for (String h = in.readLine(); !h.isEmpty(); h = in.readLine()) {
                if (h.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(h.substring(15).trim());
                }
            }
            char[] body = new char[Math.max(length, 0)];
            for (int n = 0; n < body.length; ) {
                n += in.read(body, n, body.length - n);
            }

            assertThat(status).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
            assertThat(AdminCalls.parse(new String(body)).get("error").asText()).isEqualTo(LIMIT_ERROR);
        }
    }

    /** After skipping an oversized body, a kept-alive connection still answers the next call. */
    @Test
    void shouldServeTheNextCallAfterRefusingAnOversizedBody() throws Exception {
        assertThat(send(post(HttpRequest.BodyPublishers.ofByteArray(body(70_000))).build()).statusCode()).isEqualTo(413);

        HttpResponse<String> next = send(post(HttpRequest.BodyPublishers.ofString("{\"fault\":\"crash\",\"replica\":0}")).build());

        assertThat(next.statusCode()).isEqualTo(404);
        assertThat(AdminCalls.parse(next.body()).get("error").asText()).contains("no group 'g'");
    }
}

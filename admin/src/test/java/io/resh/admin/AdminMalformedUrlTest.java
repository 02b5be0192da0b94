package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A URL with a malformed percent-escape got no answer at all: the decoder threw on the event loop, which closed
 * the connection. Sent over a socket: Java's HTTP client refuses to send such a URL.
 */
class AdminMalformedUrlTest {
    @TempDir
    Path dir;

    private AdminServer admin;

    @BeforeEach
    void start() {
        admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of());
    }

    @AfterEach
    void stop() {
        admin.close();
    }

    /** The raw response to {@code GET target}, read until the server closes the connection. */
    private String get(String target) throws IOException {
        try (Socket s = new Socket("127.0.0.1", admin.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                    + admin.token() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            s.getOutputStream().flush();
            return new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void shouldAnswer400ForAMalformedEscapeInThePath() throws IOException {
        String response = get("/api/groups/%zz");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n");
        String body = response.substring(response.indexOf("\r\n\r\n") + 4);
        assertThat(AdminCalls.parse(body).get("error").asText()).startsWith("malformed URL: ")
                .endsWith("; a '%' in a URL must start an escape such as %2F");
    }

    @Test
    void shouldAnswer400ForAMalformedEscapeInTheQuery() throws IOException {
        String response = get("/api/events?group=%4");

        assertThat(response).startsWith("HTTP/1.1 400 Bad Request\r\n");
    }

    @Test
    void shouldServeTheNextConnectionAsUsual() throws Exception {
        get("/api/groups/%zz");

        HttpResponse<String> groups = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(admin.url()
                        + "api/groups")).header("Authorization", "Bearer " + admin.token())
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(groups.statusCode()).isEqualTo(200);
    }
}

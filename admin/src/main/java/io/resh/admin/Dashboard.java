package io.resh.admin;

import io.netty.handler.codec.http.HttpResponseStatus;
import io.resh.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The dashboard: one static HTML file with its CSS and script inline, served from the class path. It
 * holds no data and no secret, so it is served without the token; everything it shows comes from the
 * token-protected API. A Content-Security-Policy pins the inline script by hash and allows connections
 * only back to this server.
 */
final class Dashboard {
    static final String RESOURCE = "/io/resh/admin/dashboard.html";
    private final HttpReply page;

    Dashboard() {
        byte[] html;
        try (InputStream in = Dashboard.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the dashboard resource " + RESOURCE + " is missing from the jar");
            }
            html = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the dashboard resource", e);
        }
        String text = new String(html, StandardCharsets.UTF_8);
        int open = text.indexOf("<script>");
        int close = text.indexOf("</script>", open);
        String script = text.substring(open + "<script>".length(), close);
        String hash = Base64.getEncoder().encodeToString(Digest.of(script.getBytes(StandardCharsets.UTF_8)).bytes());
        String csp = "default-src 'none'; script-src 'sha256-" + hash + "'; style-src 'unsafe-inline'; img-src data:;"
                + " connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
        this.page = new HttpReply(HttpResponseStatus.OK, "text/html; charset=utf-8", html, Map.of(
                "Content-Security-Policy", csp,
                "Referrer-Policy", "no-referrer",
                "X-Frame-Options", "DENY",
                "Cache-Control", "no-store"));
    }

    HttpReply page() {
        return page;
    }
}

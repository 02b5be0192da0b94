package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resh.admin.AdminConfig;
import io.resh.admin.RunningServers;
import io.resh.core.FileErrors;
import io.resh.core.ReshException;
import java.io.IOException;
import java.io.ByteArrayInputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiPredicate;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import picocli.CommandLine.Option;

/**
 * Talks to a running resh admin API with its bearer token, for {@code resh status}, {@code inject} and
 * {@code events}. Where the API is: {@code --url}, else {@code $RESH_ADMIN_URL}, else the one {@code resh serve}
 * running (its record in {@code ~/.resh/servers/}; several are refused, naming them), else the URL in
 * {@code ~/.resh/admin.url}. The token: {@code --token-file}, else
 * {@code $RESH_ADMIN_TOKEN_FILE}, else {@code ~/.resh/admin.token}.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * How long a call waits for its answer unless it says otherwise: longer than a cluster host takes to answer
     * a membership change it could not commit (its {@code cluster.requestTimeout}, at most 20 s), so the user
     * reads the host's reason rather than this client's timeout.
     */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long a followed event stream may stay silent: three of the server's 15 s pings. */
    static final Duration FOLLOW_SILENCE = Duration.ofSeconds(45);

    /** The token and TLS options every admin subcommand shares (the base of its picocli mixin). */
    abstract static class Credentials {
        @Option(names = "--token-file", paramLabel = "FILE", description = "File holding the admin token (default: "
                + "$RESH_ADMIN_TOKEN_FILE, else ~/.resh/admin.token).")
        Path tokenFile;

        @Option(names = "--cacert", paramLabel = "PEM", description = "Trust this certificate for an https:// admin URL "
                + "(such as the server's own self-signed certificate).")
        Path caCert;
    }

    /** The options of a command that talks to one admin API (a picocli mixin). */
    static final class Options extends Credentials {
        @Option(names = "--url", paramLabel = "URL", description = "Admin API base URL (default: $RESH_ADMIN_URL, "
                + "else the one `resh serve` running from ~/.resh; needed when several run).")
        String url;
    }

    /** The options of {@code resh status} and {@code resh cluster status}, which ask one admin API per cluster host. */
    static final class HostsOptions extends Credentials {
        @Option(names = "--url", paramLabel = "URL", description = "Admin API base URL (default: $RESH_ADMIN_URL, "
                + "else the one `resh serve` running from ~/.resh; needed when several run); once per cluster host for"
                + " one row per host.")
        List<String> urls = new ArrayList<>();
    }

    private final HttpClient http;
    private final String base;
    private final String token;

    private AdminClient(HttpClient http, String base, String token) {
        this.http = http;
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.token = token;
    }

    /** Resolves the URL and token from the options, the environment and {@code ~/.resh}. */
    static AdminClient connect(Options o) {
        return connect(o, null);
    }

    /**
     * {@link #connect(Options)}, where {@code group} (the command's {@code --group}, or null) picks the running server
     * that serves it when several run.
     */
    static AdminClient connect(Options o, String group) {
        return connect(o, o.url, group);
    }

    /** One client per {@code --url} given (the same token file for all), or the default one when none was. */
    static List<AdminClient> connectEach(HostsOptions o) {
        return connectEach(o, null);
    }

    /** {@link #connectEach(HostsOptions)}, where {@code group} picks the running server as in {@link #connect(Options, String)}. */
    static List<AdminClient> connectEach(HostsOptions o, String group) {
        if (o.urls.isEmpty()) {
            return List.of(connect(o, null, group));
        }
        List<AdminClient> out = new ArrayList<>();
        for (String u : o.urls) {
            out.add(connect(o, u, group));
        }
        return out;
    }

    /**
     * An environment variable, or null when it is unset or empty: {@code RESH_ADMIN_URL= resh status} means "no
     * URL from the environment", and was refused as "admin URL must start with http:// or https://, got ''".
     */
    private static String environment(String name) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? null : value.strip();
    }

    private static AdminClient connect(Credentials o, String given, String group) {
        Path home = AdminConfig.homeDir();
        String url = given != null ? given : environment("RESH_ADMIN_URL");
        String source = given != null ? "--url" : "RESH_ADMIN_URL";
        if (url == null) {
            Path file = home.resolve("admin.url");
            RunningServers records = new RunningServers(home.resolve("servers"), file);
            RunningServers.Scan scan = records.scan();
            List<RunningServers.Server> running = scan.live();
            if (running.size() > 1 && group != null) {
                // The help says --group is needed when several run, and each record names its groups: the one
                // serving it is the one meant, where "pass --url" sent the user to copy a URL from the listing.
                List<RunningServers.Server> serving = running.stream().filter(s -> serves(s, group)).toList();
                if (serving.size() == 1) {
                    running = serving;
                } else {
                    // None serving it is a group that is not there, as on one server: every server is named, with
                    // what it serves. Several, a choice left open between those alone: "2 of the 3" followed by all
                    // three named one that does not serve it as a choice.
                    String message = (serving.isEmpty() ? "none" : serving.size()) + " of the " + running.size()
                            + " admin servers running serve group '" + group + "': " + String.join(", ",
                            (serving.isEmpty() ? running : serving).stream().map(AdminClient::describe).toList())
                            + "; pass --url with the one to use";
                    throw serving.isEmpty() ? new ReshException(message) : new ServerNotChosen(message);
                }
            }
            if (running.size() > 1) {
                // admin.url names only the newest: talking to it silently left the user unaware of the others.
                throw new ServerNotChosen(running.size() + " admin servers run: " + String.join(", ",
                        running.stream().map(AdminClient::describe).toList()) + "; pass --url with the one to use,"
                        + " or --group with a group it serves");
            }
            if (running.size() == 1) {
                url = running.get(0).url();
                source = "the URL recorded in " + records.dir();
            } else {
                // No record: admin.url written by an older resh, or by hand.
                try {
                    url = Files.readString(file, StandardCharsets.UTF_8).trim();
                } catch (IOException e) {
                    if (!scan.gone().isEmpty()) {
                        // Just after a kill -9, "admin.url is not there" read as if resh serve had never run.
                        throw new ReshException("no `resh serve` runs from " + home + ": " + String.join(", ",
                                scan.gone().stream().map(s -> describe(s) + " (pid " + s.pid() + ")").toList())
                                + " stopped without removing " + (scan.gone().size() == 1 ? "its record" : "their records")
                                + " (killed with kill -9, or crashed); start `resh serve`, or pass --url with the admin"
                                + " URL a running one printed, or set RESH_ADMIN_URL");
                    }
                    throw new ReshException("no admin URL: " + file + " is not there (`resh serve` writes it while it runs);"
                            + " start `resh serve`, or pass --url with the admin URL a running one printed, or set"
                            + " RESH_ADMIN_URL");
                }
                source = "the URL in " + file;
            }
        }
        checkUrl(source, url);
        Path tokenFile = o.tokenFile != null ? o.tokenFile
                : environment("RESH_ADMIN_TOKEN_FILE") != null ? Path.of(environment("RESH_ADMIN_TOKEN_FILE"))
                : home.resolve("admin.token");
        String token;
        try {
            token = Files.readString(tokenFile, StandardCharsets.UTF_8).trim();
        } catch (NoSuchFileException e) {
            throw new ReshException("no admin token file " + tokenFile + " (the server creates it on first start;"
                    + " pass --token-file if it uses another one)");
        } catch (IOException e) {
            throw new ReshException("cannot read the admin token from " + tokenFile + ": " + e.getMessage());
        }
        checkToken(tokenFile, token);
        HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT);
        if (o.caCert != null) {
            b.sslContext(trusting(o.caCert));
        }
        return new AdminClient(b.build(), url, token);
    }

    /**
     * The token alone, as the server writes it: what else a file holds would go into the request's header, and
     * the HTTP client's complaint about that header quotes it — the secret in a terminal or a CI log.
     */
    static void checkToken(Path tokenFile, String token) {
        if (token.isEmpty()) {
            throw new ReshException("the admin token file " + tokenFile + " is empty; the server writes its token"
                    + " there on first start (pass --token-file with the one it uses)");
        }
        if (token.chars().anyMatch(c -> c <= ' ' || c == 0x7F)) {
            long lines = token.lines().count();
            throw new ReshException("the admin token file " + tokenFile + " must hold the token alone, as the server"
                    + " wrote it; it holds " + (lines > 1 ? lines + " lines" : "spaces or control characters")
                    + " (not shown: it holds the token)");
        }
    }

    /** Whether the record's comma-separated groups and gateways include {@code group}. */
    static boolean serves(RunningServers.Server s, String group) {
        return java.util.Arrays.asList(s.name().split(",\\s*")).contains(group);
    }

    /** {@code kv at http://127.0.0.1:40123/}, or the URL alone for a server of no group. */
    private static String describe(RunningServers.Server s) {
        return s.name().isEmpty() ? s.url() : s.name() + " at " + s.url();
    }

    /**
     * Refuses a URL the HTTP client cannot use, naming where it came from and the value as given: the client's
     * own error quoted the URL with an API path appended ({@code http://[::1/api/cluster}) and an index into it.
     */
    static void checkUrl(String source, String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            String reason = e.getReason();
            throw new ReshException(source + " '" + url + "' is not a valid URL: "
                    + Character.toLowerCase(reason.charAt(0)) + reason.substring(1));
        }
        if (!"http".equalsIgnoreCase(uri.getScheme()) && !"https".equalsIgnoreCase(uri.getScheme())) {
            throw new ReshException(source + " must start with http:// or https://, got '" + url + "'");
        }
        if (uri.getHost() == null) {
            throw new ReshException(source + " '" + url + "' names no host; expected e.g. http://127.0.0.1:40123/");
        }
        if (uri.getPort() == 0 || uri.getPort() > 65535) {
            throw new ReshException(source + " '" + url + "': port " + uri.getPort() + " is out of range 1-65535");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new ReshException(source + " '" + url + "' has a query or fragment; give the base URL `resh serve`"
                    + " printed, e.g. http://127.0.0.1:40123/");
        }
    }

    private static SSLContext trusting(Path pem) {
        byte[] bytes;
        try {
            if (Files.isDirectory(pem)) {
                throw new ReshException("--cacert " + pem + ": is a directory, not a PEM certificate file");
            }
            bytes = Files.readAllBytes(pem);
        } catch (IOException e) {
            throw new ReshException("--cacert " + FileErrors.describe(e));
        }
        KeyStore trust;
        try {
            trust = KeyStore.getInstance(KeyStore.getDefaultType());
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(bytes))) {
                trust.setCertificateEntry("cert-" + i++, c);
            }
            if (i == 0) {
                throw new ReshException("--cacert " + pem + ": holds no PEM certificate");
            }
        } catch (CertificateException e) {
            // The JDK's parse error names its own classes; what the user needs to know is what the file is not.
            throw new ReshException("--cacert " + pem + ": not a PEM certificate (expected -----BEGIN CERTIFICATE-----,"
                    + " such as the server's own certificate file)");
        } catch (IOException | GeneralSecurityException e) {
            throw new ReshException("--cacert " + pem + ": cannot be used as a trust store: " + e.getMessage());
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trust);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, tmf.getTrustManagers(), null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("this JVM cannot set up TLS", e);
        }
    }

    JsonNode get(String path) {
        return call("GET", path, null, CALL_TIMEOUT);
    }

    /** GET {@code path}, giving up after {@code timeout}: for a read that must not wait on a paused host. */
    JsonNode get(String path, Duration timeout) {
        return call("GET", path, null, timeout);
    }

    JsonNode post(String path, JsonNode body) {
        return call("POST", path, body, CALL_TIMEOUT);
    }

    JsonNode delete(String path) {
        return call("DELETE", path, null, CALL_TIMEOUT);
    }

    /** GET {@code path}, or null when the server answers 404 (e.g. /api/cluster on a plain group). */
    JsonNode getIfPresent(String path) {
        return getIfPresent(path, CALL_TIMEOUT);
    }

    /** {@link #getIfPresent(String)}, giving up after {@code timeout}. */
    JsonNode getIfPresent(String path, Duration timeout) {
        try {
            return call("GET", path, null, timeout);
        } catch (NotFound e) {
            return null;
        }
    }

    /** The base URL, without a trailing slash, for messages. */
    String base() {
        return base;
    }

    /**
     * Several servers run and the command line picks none of them: a usage error, which the command line answers with
     * exit status 2 as it does a bad option. Reported as a failed call, 1, it read like a server that could not be
     * reached.
     */
    static final class ServerNotChosen extends ReshException {
        private static final long serialVersionUID = 1L;

        ServerNotChosen(String message) {
            super(message);
        }
    }

    /** A 404 answer: the server runs, but not what was asked for. */
    static final class NotFound extends ReshException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }

    private JsonNode call(String method, String path, JsonNode body, Duration timeout) {
        HttpRequest.Builder b = request(path).timeout(timeout);
        try {
            b.method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body)));
            if (body != null) {
                b.header("Content-Type", "application/json");
            }
            HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw failure(r.statusCode(), r.body());
            }
            return JSON.readTree(r.body());
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(e);
        } catch (HttpTimeoutException e) {
            // A paused host (SIGSTOP, a hung machine): its kernel takes the connection, nothing answers.
            throw new ReshException("the admin API at " + base + " did not answer within " + timeout.toSeconds()
                    + " s (is the host paused or overloaded?)");
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReshException("interrupted");
        }
    }

    /**
     * Reads the server-sent event stream at {@code path} until {@code onEvent} returns false, the server
     * closes it, or the thread is interrupted. {@code onEvent} gets each event's name and data.
     *
     * @return true when {@code onEvent} ended it, false when the server closed the stream
     */
    boolean follow(String path, BiPredicate<String, String> onEvent) {
        return follow(path, onEvent, FOLLOW_SILENCE);
    }

    /**
     * {@link #follow(String, BiPredicate)}, giving up once the server has sent nothing for {@code silence}: it sends
     * a sample every second and a ping every 15 s, so silence means a paused or hung host, on which following
     * waited without end and without a word.
     */
    boolean follow(String path, BiPredicate<String, String> onEvent, Duration silence) {
        try {
            HttpResponse<Stream<String>> r = http.send(request(path).timeout(silence).GET().build(),
                    HttpResponse.BodyHandlers.ofLines());
            try (Stream<String> lines = r.body()) {
                if (r.statusCode() != 200) {
                    StringBuilder body = new StringBuilder();
                    lines.forEach(body::append);
                    throw failure(r.statusCode(), body.toString());
                }
                BlockingQueue<Optional<String>> received = new ArrayBlockingQueue<>(1024);
                Thread reader = new Thread(() -> readLines(lines.iterator(), received), "resh-events-reader");
                reader.setDaemon(true); // blocked in a read of a paused host's stream: must not keep resh running
                reader.start();
                String name = "message";
                StringBuilder data = new StringBuilder();
                while (true) {
                    Optional<String> next = received.poll(silence.toMillis(), TimeUnit.MILLISECONDS);
                    if (next == null) {
                        throw silent(silence);
                    }
                    if (next.isEmpty()) {
                        break;
                    }
                    String line = next.get();
                    if (line.isEmpty()) {
                        if (data.length() > 0 && !onEvent.test(name, data.toString())) {
                            return true;
                        }
                        name = "message";
                        data.setLength(0);
                    } else if (line.startsWith("event:")) {
                        name = line.substring(6).trim();
                    } else if (line.startsWith("data:")) {
                        data.append(line.substring(5).trim());
                    }
                }
                return false;
            }
        } catch (HttpConnectTimeoutException e) {
            throw unreachable(e);
        } catch (HttpTimeoutException e) {
            throw silent(silence); // it took the connection and did not answer
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return true;
        }
    }

    /** Hands each line of the stream to {@code received}, then an empty one for its end. */
    private static void readLines(Iterator<String> lines, BlockingQueue<Optional<String>> received) {
        try {
            try {
                while (lines.hasNext()) {
                    received.put(Optional.of(lines.next()));
                }
            } catch (java.io.UncheckedIOException e) {
                // The server went away mid-stream (resh serve stopped): the body ends without its last chunk, and
                // the line reader says only "closed". That is the end of the stream too.
            }
            received.put(Optional.empty()); // waits for room: dropped, the end would read as a silent server
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private ReshException silent(Duration silence) {
        return new ReshException("the admin API at " + base + " sent nothing for " + silence.toSeconds() + " s, not even"
                + " the ping it sends every 15 s (is the host paused or overloaded?)");
    }

    /**
     * {@code name} as one path segment of an API URL: a group or peer name the user typed ({@code -g 'a b'})
     * made the request URL invalid, and the HTTP client's error quoted that URL.
     */
    static String segment(String name) {
        return URLEncoder.encode(name, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + token);
    }

    private ReshException failure(int status, String body) {
        String message = body;
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.hasNonNull("error")) {
                message = n.get("error").asText();
            }
        } catch (IOException e) {
            // not JSON: show the body as it is
        }
        if (status == 401) {
            return new ReshException("the admin API at " + base + " rejected the token: " + message);
        }
        if (status == 404) {
            return new NotFound("admin API answered 404: " + message);
        }
        return new ReshException("admin API answered " + status + ": " + message);
    }

    private ReshException unreachable(IOException e) {
        if (e instanceof ConnectException) {
            return new ReshException("cannot reach the admin API at " + base + " (is `resh serve` running?)");
        }
        if (e instanceof HttpConnectTimeoutException) {
            return new ReshException("the admin API at " + base + " did not take a connection within "
                    + CONNECT_TIMEOUT.toSeconds() + " s (is the host up, and its address reachable?)");
        }
        if (e instanceof HttpTimeoutException) {
            return new ReshException("the admin API at " + base + " did not answer in time");
        }
        String m = String.valueOf(e.getMessage());
        if (m.contains("parsing HTTP") || m.contains("status line")) {
            // The JDK's message quotes the peer's bytes, binary garbage for a client port.
            return new ReshException("what answers at " + base + " does not speak HTTP: that is not an admin API (a"
                    + " group's client port, perhaps); use the URL `resh serve` printed after 'admin:'");
        }
        return new ReshException("admin API at " + base + ": " + m);
    }

    /** The only group, or the named one; a clear error when the choice is ambiguous or wrong. */
    String chooseGroup(String requested) {
        JsonNode groups = get("/api/groups");
        StringBuilder names = new StringBuilder();
        for (JsonNode g : groups) {
            names.append(names.length() == 0 ? "" : ", ").append(g.get("name").asText());
        }
        if (requested != null) {
            for (JsonNode g : groups) {
                if (g.get("name").asText().equals(requested)) {
                    return requested;
                }
            }
            List<String> gateways = gatewayNames();
            if (gateways.contains(requested)) {
                throw new ReshException("'" + requested + "' is a gateway in front of unmodified servers, not a replica"
                        + " group: " + NOT_FOR_GATEWAYS);
            }
            throw new ReshException("no group '" + requested + "'; groups: " + (names.length() == 0 ? "none" : names)
                    + (gateways.isEmpty() ? "" : "; gateways: " + String.join(", ", gateways)));
        }
        if (groups.size() == 1) {
            return groups.get(0).get("name").asText();
        }
        if (groups.isEmpty()) {
            List<String> gateways = gatewayNames();
            throw new ReshException(gateways.isEmpty() ? "the server runs no replica group"
                    : "the server runs no replica group, only the gateway " + String.join(", ", gateways)
                    + " in front of unmodified servers: " + NOT_FOR_GATEWAYS);
        }
        throw new ReshException("several groups run (" + names + "): pass --group");
    }

    private static final String NOT_FOR_GATEWAYS = "faults are injected into replica groups only; to fault one of its"
            + " servers, kill -9 or kill -STOP a server pid that resh status shows";

    /** The gateways the server runs (none on servers that predate them). */
    private List<String> gatewayNames() {
        JsonNode gateways = getIfPresent("/api/gateways");
        List<String> names = new ArrayList<>();
        if (gateways != null) {
            gateways.forEach(g -> names.add(g.path("group").asText()));
        }
        return names;
    }

    static ObjectMapper json() {
        return JSON;
    }
}

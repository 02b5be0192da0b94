package io.resh.admin;

import io.resh.core.ConfigException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How the admin endpoint listens and where it keeps its files. Immutable; validated on construction.
 *
 * @param host address to listen on; loopback by default, since the API can kill replicas
 * @param port TCP port; 0 picks a free one
 * @param tokenFile file holding the bearer token; created (mode 600) with a fresh random token if absent
 * @param endpointFile file the server writes its URL to for scripts (the newest server's URL); beside it, in
 *     {@code servers/}, each running server keeps a record of its own, by which the CLI finds it (see
 *     {@link RunningServers}); null to skip both
 * @param eventLog JSON-lines event log; null keeps events in memory only
 * @param eventLogMaxBytes size at which the event log is rotated
 * @param eventLogFiles rotated files kept besides the current one
 * @param recentEvents events kept in memory for {@code /api/events} and late stream subscribers (a run of one
 *     group's checkpoints, with no other event of that group between them, counts as its newest one)
 * @param tlsCert PEM certificate chain for HTTPS; null for plain HTTP
 * @param tlsKey PEM PKCS#8 private key matching {@code tlsCert}
 */
public record AdminConfig(String host, int port, Path tokenFile, Path endpointFile, Path eventLog,
                          long eventLogMaxBytes, int eventLogFiles, int recentEvents, Path tlsCert, Path tlsKey) {
    /** The most events kept in memory, listed by one call or sent as a stream's backlog. */
    public static final int MAX_EVENTS_LISTED = 100_000;

    /**
     * {@code ~/.resh}, where the token, the endpoint file and the event log live by default. {@code ~} is
     * {@code $HOME}, as for any command-line tool: Java's {@code user.home} comes from the password database and
     * ignores it, so {@code HOME=/elsewhere resh serve} used (and overwrote) the account's files. A
     * {@code -Duser.home} given on the JVM's command line still wins: it was asked for explicitly.
     */
    public static Path homeDir() {
        boolean explicit = ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
                .anyMatch(a -> a.startsWith("-Duser.home="));
        String home = System.getenv("HOME");
        if (explicit || home == null || home.isBlank() || !Path.of(home).isAbsolute()) {
            home = System.getProperty("user.home");
        }
        return Path.of(home, ".resh");
    }

    public AdminConfig {
        if (host == null || host.isBlank()) {
            throw new ConfigException("admin.host", "must not be empty (use 127.0.0.1 to stay local)");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("admin.port", "expected 0 to 65535 (0 = any free port), got " + port);
        }
        if (tokenFile == null) {
            throw new ConfigException("admin.tokenFile", "must be set: every admin call needs the token");
        }
        if (eventLogMaxBytes < 4096) {
            throw new ConfigException("admin.eventLog.maxBytes", "expected at least 4096 bytes, got " + eventLogMaxBytes);
        }
        if (eventLogFiles < 1 || eventLogFiles > 100) {
            throw new ConfigException("admin.eventLog.files", "expected 1 to 100 rotated files, got " + eventLogFiles);
        }
        if (recentEvents < 1 || recentEvents > MAX_EVENTS_LISTED) {
            throw new ConfigException("admin.recentEvents", "expected 1 to " + MAX_EVENTS_LISTED + ", got " + recentEvents);
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new ConfigException(tlsCert == null ? "admin.tls.cert" : "admin.tls.key",
                    "TLS needs both a certificate and a private key (PEM)");
        }
        if (tlsCert != null && !Files.isReadable(tlsCert)) {
            throw new ConfigException("admin.tls.cert", "cannot read " + tlsCert);
        }
        if (tlsKey != null && !Files.isReadable(tlsKey)) {
            throw new ConfigException("admin.tls.key", "cannot read " + tlsKey);
        }
    }

    /** 127.0.0.1, a free port, files under {@code ~/.resh}, a 10 MiB event log with 5 rotations, no TLS. */
    public static AdminConfig defaults() {
        Path home = homeDir();
        return new AdminConfig("127.0.0.1", 0, home.resolve("admin.token"), home.resolve("admin.url"),
                home.resolve("events.jsonl"), 10L << 20, 5, 1000, null, null);
    }

    /** Every file (token, endpoint, event log) in {@code dir} instead of {@code ~/.resh}: for tests and demos. */
    public AdminConfig withDirectory(Path dir) {
        return new AdminConfig(host, port, dir.resolve("admin.token"), dir.resolve("admin.url"),
                dir.resolve("events.jsonl"), eventLogMaxBytes, eventLogFiles, recentEvents, tlsCert, tlsKey);
    }

    public AdminConfig withListen(String newHost, int newPort) {
        return new AdminConfig(newHost, newPort, tokenFile, endpointFile, eventLog, eventLogMaxBytes, eventLogFiles,
                recentEvents, tlsCert, tlsKey);
    }

    public AdminConfig withTokenFile(Path file) {
        return new AdminConfig(host, port, file, endpointFile, eventLog, eventLogMaxBytes, eventLogFiles,
                recentEvents, tlsCert, tlsKey);
    }

    public AdminConfig withEndpointFile(Path file) {
        return new AdminConfig(host, port, tokenFile, file, eventLog, eventLogMaxBytes, eventLogFiles,
                recentEvents, tlsCert, tlsKey);
    }

    /** @param file null keeps events in memory only */
    public AdminConfig withEventLog(Path file, long maxBytes, int files) {
        return new AdminConfig(host, port, tokenFile, endpointFile, file, maxBytes, files, recentEvents, tlsCert, tlsKey);
    }

    public AdminConfig withRecentEvents(int n) {
        return new AdminConfig(host, port, tokenFile, endpointFile, eventLog, eventLogMaxBytes, eventLogFiles, n,
                tlsCert, tlsKey);
    }

    /** Serves HTTPS with this PEM certificate chain and PKCS#8 key. */
    public AdminConfig withTls(Path cert, Path key) {
        return new AdminConfig(host, port, tokenFile, endpointFile, eventLog, eventLogMaxBytes, eventLogFiles,
                recentEvents, cert, key);
    }

    boolean tls() {
        return tlsCert != null;
    }
}

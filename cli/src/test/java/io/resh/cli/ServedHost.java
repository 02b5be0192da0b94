package io.resh.cli;

import static org.awaitility.Awaitility.await;

import io.resh.host.ProcessPause;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A cluster host run the way a user runs it, {@code resh serve CONFIG --id ID}, in a JVM of its own, so that a
 * test can pause it (SIGSTOP) like a host whose machine hangs. Its home directory holds the given admin token.
 */
final class ServedHost implements AutoCloseable {
    private static final String ADMIN_LINE = "admin: ";
    private final String id;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final String adminUrl;

    private ServedHost(String id, Process process, Path stdout, Path stderr, String adminUrl) {
        this.id = id;
        this.process = process;
        this.stdout = stdout;
        this.stderr = stderr;
        this.adminUrl = adminUrl;
    }

    static ServedHost start(Path dir, String id, String yaml, Path token) {
        Process p = null;
        try {
            Path dotResh = Files.createDirectories(dir.resolve("home").resolve(".resh"));
            Files.copy(token, dotResh.resolve("admin.token"), StandardCopyOption.COPY_ATTRIBUTES); // stays owner-only
            Path config = Files.writeString(dir.resolve("cluster.yaml"), yaml);
            Path out = dir.resolve("stdout.txt");
            Path err = dir.resolve("stderr.txt");
            p = new ProcessBuilder(ReshJvm.command(List.of("-Duser.home=" + dir.resolve("home"), "-Xmx256m",
                    "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "serve", config.toString(), "--id", id,
                    "--admin-port", "0")).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            Process started = p;
            String url = await().atMost(Duration.ofSeconds(60)).until(() -> {
                if (!started.isAlive()) {
                    throw new IllegalStateException("resh serve of " + id + " exited: " + Files.readString(err));
                }
                return adminLine(out);
            }, Optional::isPresent).orElseThrow();
            return new ServedHost(id, p, out, err, url);
        } catch (IOException e) {
            ReshJvm.killTree(p);
            throw new UncheckedIOException("cannot start host " + id, e);
        } catch (RuntimeException e) {
            ReshJvm.killTree(p);
            throw e;
        }
    }

    private static Optional<String> adminLine(Path out) throws IOException {
        return Files.readAllLines(out, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(ADMIN_LINE))
                .map(l -> l.substring(ADMIN_LINE.length()).strip()).findFirst();
    }

    String id() {
        return id;
    }

    /** The admin API's URL that {@code resh serve} printed. */
    String adminUrl() {
        return adminUrl;
    }

    /** SIGSTOP of the host's JVM: its ports still accept connections, but nothing answers. */
    void pause() {
        ProcessPause.pause(process.pid());
    }

    /** SIGCONT. */
    void resume() {
        ProcessPause.resume(process.pid());
    }

    /** What the host printed, for a failing test's message. */
    String output() {
        try {
            return Files.readString(stdout) + Files.readString(stderr);
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Kills the host and its replicas; a paused one too (SIGKILL needs no SIGCONT). */
    @Override
    public void close() {
        ReshJvm.killTree(process);
    }
}

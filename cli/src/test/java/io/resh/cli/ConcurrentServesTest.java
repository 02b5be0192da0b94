package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.examples.kv.KvStore;
import io.resh.host.ProcessPause;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Several {@code resh serve} of one user at once, each in a JVM of its own with one home directory, and the admin
 * commands run bare (no {@code --url}) from that home, as a user runs them. The second server overwrote the
 * first's {@code admin.url}, a bare {@code resh status} silently reached only the newest, and a server killed with
 * SIGKILL left {@code admin.url} naming it while another still ran.
 */
@Tag("e2e")
class ConcurrentServesTest {
    private static final String ADMIN_LINE = "admin: ";

    @TempDir(cleanup = CleanupMode.ON_SUCCESS)
    Path dir;

    private final List<Process> started = new ArrayList<>();

    /** A running {@code resh serve}: its process and the admin URL it printed. */
    private record Served(Process process, String url) {
    }

    /** What a command printed and returned. */
    private record Result(int exit, String out, String err) {
    }

    @AfterEach
    void killWhatIsLeft() {
        started.forEach(ReshJvm::killTree);
    }

    private Path dotResh() {
        return dir.resolve("home").resolve(".resh");
    }

    private Path yaml(String group, String serviceClass) throws IOException {
        return Files.writeString(dir.resolve(group + ".yaml"), String.join("\n", "group: " + group, "replicas: 1",
                "startTimeout: 120s", "service:", "  class: " + serviceClass, "listen:", "  host: 127.0.0.1",
                "  port: 0", ""));
    }

    private Process start(String group, String serviceClass, String... options) throws IOException {
        Files.createDirectories(dir.resolve("tmp"));
        List<String> cmd = ReshJvm.command(List.of("-Duser.home=" + dir.resolve("home"),
                "-Djava.io.tmpdir=" + dir.resolve("tmp"), "-Dlogback.configurationFile=logback.xml", "-Xmx256m",
                "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), "serve", yaml(group, serviceClass).toString());
        cmd.addAll(List.of(options));
        Process p = new ProcessBuilder(cmd).redirectOutput(out(group).toFile())
                .redirectError(dir.resolve(group + ".err").toFile()).start();
        started.add(p);
        return p;
    }

    private Path out(String group) {
        return dir.resolve(group + ".out");
    }

    /** {@code resh serve} of a one-replica KV group named {@code group}; returns once it serves. */
    private Served serve(String group) throws IOException {
        Process p = start(group, KvStore.class.getName());
        String url = await().atMost(Duration.ofSeconds(60)).until(() -> {
            if (!p.isAlive()) {
                throw new IllegalStateException("resh serve of " + group + " exited: "
                        + Files.readString(dir.resolve(group + ".err")));
            }
            return Files.readString(out(group)).lines().filter(l -> l.startsWith(ADMIN_LINE))
                    .map(l -> l.substring(ADMIN_LINE.length()).strip()).findFirst().orElse(null);
        }, u -> u != null);
        return new Served(p, url);
    }

    /** {@code resh ARGS} in a JVM of its own, from the servers' home and without the admin environment variables. */
    private Result resh(String... args) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ReshJvm.command(List.of("-Duser.home=" + dir.resolve("home"),
                "-XX:TieredStopAtLevel=1"), args));
        pb.environment().remove("RESH_ADMIN_URL");
        pb.environment().remove("RESH_ADMIN_TOKEN_FILE");
        Path out = Files.createTempFile(dir, "cli", ".out");
        Path err = Files.createTempFile(dir, "cli", ".err");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("resh %s ends", String.join(" ", args)).isTrue();
            return new Result(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            p.destroyForcibly();
        }
    }

    /** The group lines of {@code resh status}: its name first, then the redundancy. */
    private static boolean showsGroup(Result status, String group) {
        return status.out().lines().anyMatch(l -> l.startsWith(group + "  "));
    }

    private List<String> records() throws IOException {
        Path servers = dotResh().resolve("servers");
        if (!Files.isDirectory(servers)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(servers)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".json")).sorted().toList();
        }
    }

    private static void stop(Served s) throws InterruptedException {
        s.process().destroy(); // SIGTERM, as Ctrl-C
        assertThat(s.process().waitFor(60, TimeUnit.SECONDS)).as("resh serve exits after SIGTERM").isTrue();
    }

    private static void kill(Served s) throws InterruptedException {
        ReshJvm.killTree(s.process()); // SIGKILL: no exit hook runs, the records stay behind
        assertThat(s.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void shouldRefuseToPickOneOfTwoRunningServersAndNameThem() throws Exception {
        Served alpha = serve("alpha");
        Served beta = serve("beta");

        Result status = resh("status");
        Result events = resh("events", "--limit", "1");
        Result chosen = resh("status", "--url", alpha.url());

        String both = "2 admin servers run: alpha at " + alpha.url() + ", beta at " + beta.url()
                + "; pass --url with the one to use, or --group with a group it serves";
        // A usage error, as a bad option is: 1 read like a server that could not be reached.
        assertThat(status.exit()).as(status.out()).isEqualTo(2);
        assertThat(status.err().strip()).isEqualTo("resh status: " + both);
        assertThat(events.exit()).as(events.out()).isEqualTo(2);
        assertThat(events.err().strip()).isEqualTo("resh events: " + both);
        assertThat(chosen.exit()).as(chosen.err()).isZero();
        assertThat(showsGroup(chosen, "alpha")).as(chosen.out()).isTrue();
        assertThat(showsGroup(chosen, "beta")).as(chosen.out()).isFalse();
    }

    /**
     * The help of status, events and inject says --group is needed when several run, yet with two servers running
     * {@code -g beta} was still told to pass --url, though each record names the groups its server serves.
     */
    @Test
    void shouldPickTheRunningServerThatServesTheGroupNamed() throws Exception {
        Served alpha = serve("alpha");
        Served beta = serve("beta");

        Result status = resh("status", "-g", "beta");
        Result events = resh("events", "-g", "alpha", "--limit", "1");
        Result unknown = resh("status", "-g", "gamma");

        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(showsGroup(status, "beta")).as(status.out()).isTrue();
        assertThat(showsGroup(status, "alpha")).as(status.out()).isFalse();
        assertThat(events.exit()).as(events.err()).isZero();
        assertThat(unknown.exit()).as(unknown.out()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("resh status: none of the 2 admin servers running serve group 'gamma':"
                + " alpha at " + alpha.url() + ", beta at " + beta.url() + "; pass --url with the one to use");
    }

    @Test
    void shouldRemoveOnlyItsOwnRecordWhenItStops() throws Exception {
        Served alpha = serve("alpha");
        Served beta = serve("beta");

        stop(alpha); // the older one stops while the newer runs on
        Result status = resh("status");

        assertThat(records()).containsExactly(record(beta));
        assertThat(Files.readString(dotResh().resolve("admin.url")).strip()).isEqualTo(beta.url());
        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(showsGroup(status, "beta")).as(status.out()).isTrue();
    }

    @Test
    void shouldIgnoreAndCleanUpTheRecordsOfKilledServers() throws Exception {
        Served alpha = serve("alpha");
        Served beta = serve("beta");

        kill(beta); // the newest: its record and admin.url name a server that is gone
        Result status = resh("status");

        assertThat(status.exit()).as(status.err()).isZero();
        assertThat(showsGroup(status, "alpha")).as(status.out()).isTrue();
        assertThat(records()).as("the killed server's record").containsExactly(record(alpha));
        assertThat(Files.readString(dotResh().resolve("admin.url")).strip()).isEqualTo(alpha.url());

        kill(alpha);
        Result none = resh("status");
        Result again = resh("status");

        // "admin.url is not there", said just after the kill, read as if no resh serve had ever run.
        assertThat(none.exit()).isEqualTo(1);
        assertThat(none.err().strip()).isEqualTo("resh status: no `resh serve` runs from " + dotResh() + ": alpha at "
                + alpha.url() + " (pid " + alpha.process().pid() + ") stopped without removing its record (killed with"
                + " kill -9, or crashed); start `resh serve`, or pass --url with the admin URL a running one printed, or"
                + " set RESH_ADMIN_URL");
        assertThat(records()).isEmpty();
        assertThat(again.err().strip()).as("the record is gone: nothing more to tell").isEqualTo("resh status: no admin URL: "
                + dotResh().resolve("admin.url") + " is not there (`resh serve` writes it while it runs); start `resh serve`,"
                + " or pass --url with the admin URL a running one printed, or set RESH_ADMIN_URL");
    }

    /**
     * The same config served twice, the commonest way to find its port taken, said "another program has that
     * port", though the program is the resh serve started a moment ago, which the records name.
     */
    @Test
    void shouldNameTheRunningServeOfTheSameGroupWhenItsPortIsTaken() throws Exception {
        Served alpha = serve("alpha");
        String port = Files.readString(out("alpha")).lines().filter(l -> l.contains(" serving on 127.0.0.1:")).findFirst()
                .map(l -> l.replaceAll(".* serving on 127\\.0\\.0\\.1:(\\d+) .*", "$1")).orElseThrow();
        List<String> cmd = ReshJvm.command(List.of("-Duser.home=" + dir.resolve("home"), "-Djava.io.tmpdir=" + dir.resolve("tmp"),
                "-Dlogback.configurationFile=logback.xml", "-XX:TieredStopAtLevel=1"), "serve",
                dir.resolve("alpha.yaml").toString(), "--port", port, "--admin-port", "-1");
        Process again = new ProcessBuilder(cmd).redirectOutput(dir.resolve("again.out").toFile())
                .redirectError(dir.resolve("again.err").toFile()).start();
        started.add(again);

        assertThat(again.waitFor(60, TimeUnit.SECONDS)).as("the second resh serve gives up").isTrue();
        assertThat(again.exitValue()).isEqualTo(2);
        assertThat(Files.readString(dir.resolve("again.err")).strip()).isEqualTo("resh serve: cannot listen for clients on"
                + " 127.0.0.1:" + port + ": Address already in use; a resh serve of alpha runs already (pid "
                + alpha.process().pid() + ", admin " + alpha.url() + ") and may hold it: stop that one, or give listen.port"
                + " in the config or --port another one (0: any free port)");
        assertThat(alpha.process().isAlive()).as("the first one serves on").isTrue();
    }

    /**
     * {@code resh events --follow} of a server whose host froze (SIGSTOP) waited without end and without a word:
     * the connection stays open and nothing comes, whether the pause came while following or before. The server
     * sends a sample a second and a ping every 15 s, so silence now ends it with one line.
     */
    @Test
    void shouldEndAFollowerWithOneLineWhenItsServerIsPaused() throws Exception {
        Served alpha = serve("alpha");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CompletableFuture<Integer> following = CompletableFuture.supplyAsync(() -> follow(alpha, out, err));
        // Following for sure: an injected crash shows (one injected before the stream opened would not).
        await().atMost(Duration.ofSeconds(60)).until(() -> {
            resh("inject", "crash", "--replica", "0");
            return out.toString().contains("injected");
        });

        ProcessPause.pause(alpha.process().pid());
        try {
            String silent = "sent nothing for 3 s, not even the ping it sends every 15 s (is the host paused or overloaded?)";
            assertThat(following.get(30, TimeUnit.SECONDS)).as(err.toString()).isEqualTo(1);
            assertThat(err.toString().strip()).startsWith("resh events: the admin API at http://127.0.0.1:").endsWith(silent);

            StringWriter laterErr = new StringWriter();
            int later = CompletableFuture.supplyAsync(() -> follow(alpha, new StringWriter(), laterErr)).get(30, TimeUnit.SECONDS);
            assertThat(later).as("following a server paused already").isEqualTo(1);
            assertThat(laterErr.toString().strip()).endsWith(silent);
        } finally {
            ProcessPause.resume(alpha.process().pid());
        }
    }

    /** {@code resh events --follow} of {@code s} in this JVM, taking 3 s of silence for a paused server. */
    private int follow(Served s, StringWriter out, StringWriter err) {
        EventsCommand events = new EventsCommand();
        events.silence = Duration.ofSeconds(3);
        return new CommandLine(events).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true))
                .execute("--follow", "--limit", "0", "--url", s.url(), "--token-file", dotResh().resolve("admin.token").toString());
    }

    /** The record file of {@code s}: named by its process id and admin port. */
    private static String record(Served s) {
        return s.process().pid() + "-" + port(s) + ".json";
    }

    private static int port(Served s) {
        return java.net.URI.create(s.url()).getPort();
    }

    /** Until the replicas had started (most of a second, or as long as the service takes) nothing was printed. */
    @Test
    void shouldSayAtOnceWhatItStarts() throws Exception {
        Process slow = start("slow", SlowStartingService.class.getName(), "--admin-port", "-1");
        Path yaml = dir.resolve("slow.yaml");

        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(out("slow"), StandardCharsets.UTF_8)
                .lines().findFirst().orElse(""), l -> !l.isEmpty() || !slow.isAlive());

        assertThat(Files.readString(out("slow"), StandardCharsets.UTF_8).lines().toList()).as("its replica is still starting")
                .containsExactly("resh: starting group slow (1 replica) from " + yaml);
    }
}

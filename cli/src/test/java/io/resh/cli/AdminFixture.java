package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.TestGroups;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** A real TMR group behind a real admin server, and a way to run a CLI command against it. */
final class AdminFixture implements AutoCloseable {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(5)).build();
    final ReplicaGroup group;
    final AdminServer admin;

    /** What a command printed and returned. */
    record Run(int exit, String out, String err) {
    }

    /** {@code dir} holds the admin server's files and the group's work directory: the test's own {@code @TempDir}. */
    AdminFixture(String name, Path dir) {
        this.group = ReplicaGroup.start(TestGroups.counter(name, 3, dir).build());
        AdminServer started;
        try {
            started = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group));
        } catch (RuntimeException e) {
            group.close();
            throw e;
        }
        this.admin = started;
    }

    /** Runs {@code command} with {@code args} plus {@code --url} and {@code --token-file} of this server. */
    Run run(Class<?> command, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--url", admin.url(), "--token-file", admin.tokenFile().toString()));
        return runExactly(command, all.toArray(String[]::new));
    }

    /** {@code resh COMMAND ARGS} through the real command line, COMMAND being {@code command}'s name. */
    static Run runExactly(Class<?> command, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Resh.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of(command.getAnnotation(CommandLine.Command.class).name()));
        all.addAll(List.of(args));
        int exit = cl.execute(all.toArray(String[]::new));
        return new Run(exit, out.toString(), err.toString());
    }

    /** The body of an authorized {@code GET} of {@code path} (relative to the admin URL), which must answer 200. */
    static String get(AdminServer admin, String path) throws Exception {
        HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(admin.url() + path))
                .header("Authorization", "Bearer " + admin.token()).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return r.body();
    }

    static com.fasterxml.jackson.databind.JsonNode parse(String json) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("not JSON: " + json, e);
        }
    }

    @Override
    public void close() {
        admin.close();
        group.close();
    }
}

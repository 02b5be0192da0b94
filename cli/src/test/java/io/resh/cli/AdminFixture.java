package io.resh.cli;

import io.resh.admin.AdminConfig;
import io.resh.admin.AdminServer;
import io.resh.host.ReplicaGroup;
import io.resh.host.testing.TestGroups;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;

/** A real TMR group behind a real admin server, and a way to run a CLI command against it. */
final class AdminFixture implements AutoCloseable {
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

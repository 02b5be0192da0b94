package io.resh.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** {@code resh} run the way a user runs it, in a JVM of its own on the test's class path. */
final class ReshJvm {
    private ReshJvm() {
    }

    /** {@code java JVM_OPTIONS -cp <the test class path> io.resh.cli.Resh ARGS}. */
    static List<String> command(List<String> jvmOptions, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Resh.class.getName()));
        command.addAll(List.of(args));
        return command;
    }

    /** Kills {@code process} and everything it started (replicas, servers); for clean-up after a test, even a failed one. */
    static void killTree(Process process) {
        if (process != null) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }
}

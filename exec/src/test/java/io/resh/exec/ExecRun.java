package io.resh.exec;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Test support: runs a group with captured stdout and stderr. */
record ExecRun(ExecResult result, String stdout, String stderr) {

    static ExecRun of(ExecOptions options) throws InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        ExecResult result = new ExecRunner(out, err).run(options);
        return new ExecRun(result, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** N replicas of {@code sh -c script args...}. */
    static ExecOptions shell(int replicas, String script, String... args) {
        List<String> argv = new java.util.ArrayList<>(List.of("sh", "-c", script, "sh"));
        argv.addAll(List.of(args));
        return ExecOptions.replicated(replicas, argv);
    }

    /** All notices joined, as the command line would print them. */
    String notices() {
        return String.join("\n", result.notices());
    }
}

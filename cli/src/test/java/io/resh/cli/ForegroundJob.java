package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A command started the way an interactive shell starts a foreground job: in a process group of its own, with
 * the signals a terminal sends at their default action (a test JVM may have inherited them ignored), so that
 * a signal to the whole group is what the command gets on Ctrl-C, Ctrl-\ or a closed terminal.
 */
final class ForegroundJob {
    /** The job's pid is its process group's id: perl execs the command in its own process. */
    private static final String LAUNCH = "$SIG{INT} = $SIG{QUIT} = $SIG{HUP} = 'DEFAULT'; setpgrp(0, 0);"
            + " exec {$ARGV[0]} @ARGV or die \"cannot run $ARGV[0]: $!\\n\"";

    private ForegroundJob() {
    }

    static Process start(List<String> command, Path out, Path err) throws IOException {
        List<String> launched = new ArrayList<>(List.of("perl", "-e", LAUNCH));
        launched.addAll(command);
        return new ProcessBuilder(launched).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    }

    /** Sends {@code signal} (INT, QUIT, HUP) to every process of the job's group, as the terminal does. */
    static void signalGroup(Process job, String signal) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("perl", "-e", "kill($ARGV[0], -$ARGV[1]) or die \"kill: $!\\n\"", signal,
                Long.toString(job.pid())).redirectErrorStream(true).start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).as("kill returns").isTrue();
        assertThat(kill.exitValue()).as("kill -%s of group %d: %s", signal, job.pid(),
                new String(kill.getInputStream().readAllBytes())).isZero();
    }
}

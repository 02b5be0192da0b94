package io.resh.exec;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Starts each replica in a session of its own ({@code setsid}, util-linux), so that only resh hears its
 * terminal. Ctrl-C, Ctrl-\ and a closed terminal signal the whole foreground process group: replicas in
 * resh's group died of (or trapped) that signal themselves, at the moment resh began to kill them. In their
 * own session resh alone decides: its exit kills each replica with everything it spawned (found by
 * {@link ReplicaMark}, which a new session does not change). A replica has no controlling terminal then:
 * {@code /dev/tty} cannot be opened in it.
 *
 * <p>{@code setsid} execs the command in the same process (it forks only when called as a process-group
 * leader, which a child of the JVM never is), so the replica's pid and its process tree stay as they were.
 * Without a {@code setsid} that works here, replicas start as before.
 */
final class NewSession {
    private static final Optional<Path> SETSID = ProgramPath.find("setsid").filter(NewSession::works);

    private NewSession() {
    }

    /** {@code command} behind {@code setsid}, or unchanged where there is none. */
    static List<String> wrap(List<String> command) {
        if (SETSID.isEmpty()) {
            return command;
        }
        List<String> argv = new ArrayList<>(List.of(SETSID.get().toString()));
        argv.addAll(command);
        return List.copyOf(argv);
    }

    /** A {@code setsid} that refused would fail every replica instead (exit code 1, blamed on the command). */
    private static boolean works(Path setsid) {
        try {
            Process p = new ProcessBuilder(setsid.toString(), "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

package io.resh.host;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a replica in a session of its own ({@code setsid}, util-linux), so that only the host hears its
 * terminal. Ctrl-C, Ctrl-\ and a closed terminal signal the whole foreground process group: replicas in the
 * host's group died of that signal at the moment the host began to stop them, and a death the group loop
 * saw first was a crash. In their own session they are stopped by the host's shutdown, as after a
 * {@code kill} of the host alone.
 *
 * <p>{@code setsid} execs the rest of the command in the same process (it forks only when called as a
 * process-group leader, which a child of the JVM never is), so the pid the host records stays the
 * replica's. Without a {@code setsid} that works here the prefix is empty and replicas start as before.
 * A replica still goes when the host is killed with {@code kill -9}: it exits at the end of its stdin.
 */
final class NewSession {
    private static final List<String> PREFIX = detect();

    private NewSession() {
    }

    /** What goes before the replica's command: {@code setsid}, or nothing where it does not work. */
    static List<String> prefix() {
        return PREFIX;
    }

    private static List<String> detect() {
        return Binaries.which("setsid").filter(NewSession::works).map(List::of).orElse(List.of());
    }

    /** A {@code setsid} that refused (or is not util-linux's) would fail every replica start instead. */
    private static boolean works(String setsid) {
        try {
            Process p = new ProcessBuilder(setsid, "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
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

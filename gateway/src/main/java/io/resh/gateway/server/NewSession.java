package io.resh.gateway.server;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command prefix that starts a server in a session of its own: {@code setsid} (util-linux) when it is on
 * the PATH and works, else nothing (the server then starts as before). Ctrl-C, Ctrl-\ and a closed terminal
 * signal the whole foreground process group: servers in the gateway's group got the signal at the moment
 * the gateway began to stop them, and some act on it themselves (redis-server shuts down on SIGINT). In
 * their own session only the gateway hears the terminal, and its shutdown stops them.
 *
 * <p>{@code setsid} execs the server in the same process (it forks only when called as a process-group
 * leader, which a child of the JVM never is), so the pid stays the server's, and the parent-death signal
 * set before it (see {@link ParentDeathSignal}) is kept.
 */
final class NewSession {
    private static final List<String> PREFIX = detect();

    private NewSession() {
    }

    /** The prefix to put before a server command (after the parent-death signal's); empty where unsupported. */
    static List<String> prefix() {
        return PREFIX;
    }

    private static List<String> detect() {
        String path = System.getenv("PATH");
        if (path == null) {
            return List.of();
        }
        for (String dir : path.split(File.pathSeparator)) {
            File setsid = new File(dir, "setsid");
            if (setsid.canExecute()) {
                return works(setsid.getPath()) ? List.of(setsid.getPath()) : List.of();
            }
        }
        return List.of();
    }

    /** A {@code setsid} that refused would fail every server start instead. */
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

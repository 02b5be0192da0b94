package io.resh.gateway.server;

import java.io.File;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command prefix that makes a server die with the gateway: {@code setpriv --pdeathsig KILL}
 * (util-linux) when it is on the PATH and works, else nothing. Without it, a gateway killed with
 * {@code kill -9} would leave its servers running, holding their ports.
 *
 * <p>The kernel sends the signal when the <em>thread</em> that started the process ends, not the
 * process; servers must therefore be started from a thread that lives as long as the gateway.
 */
final class ParentDeathSignal {
    private static final List<String> PREFIX = detect();

    private ParentDeathSignal() {
    }

    /** The prefix to put before a server command; empty where unsupported. */
    static List<String> prefix() {
        return PREFIX;
    }

    private static List<String> detect() {
        String path = System.getenv("PATH");
        if (path == null) {
            return List.of();
        }
        for (String dir : path.split(File.pathSeparator)) {
            File setpriv = new File(dir, "setpriv");
            if (setpriv.canExecute() && works(setpriv.getPath())) {
                return List.of(setpriv.getPath(), "--pdeathsig", "KILL");
            }
        }
        return List.of();
    }

    private static boolean works(String setpriv) {
        try {
            Process p = new ProcessBuilder(setpriv, "--pdeathsig", "KILL", "true").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(5, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}

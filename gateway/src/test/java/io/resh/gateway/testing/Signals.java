package io.resh.gateway.testing;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** Sends real POSIX signals to processes (SIGSTOP and SIGCONT have no Java API). */
public final class Signals {
    private Signals() {
    }

    public static void send(String signal, long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException("kill -" + signal + " " + pid + " failed: " + new String(p.getInputStream().readAllBytes()));
        }
    }
}

package io.resh.host;

import java.io.IOException;
import java.util.concurrent.TimeUnit;

/** POSIX signals the JDK has no API for (it only knows SIGTERM and SIGKILL). */
final class Signals {
    private Signals() {
    }

    /** SIGSTOP: the process freezes, as a hung replica would. */
    static String stop(long pid) {
        return send("STOP", pid);
    }

    /** SIGCONT. */
    static String resume(long pid) {
        return send("CONT", pid);
    }

    private static String send(String signal, long pid) {
        try {
            Process p = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "kill -" + signal + " " + pid + " timed out";
            }
            return p.exitValue() == 0 ? "SIG" + signal + " sent to pid " + pid
                    : "kill -" + signal + " " + pid + " failed: " + new String(p.getInputStream().readAllBytes()).trim();
        } catch (IOException e) {
            return "kill -" + signal + " " + pid + " failed: " + e.getMessage();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "interrupted sending SIG" + signal;
        }
    }
}

package io.resh.host;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** POSIX signals the JDK has no API for (it only knows SIGTERM and SIGKILL). */
final class Signals {
    private Signals() {
    }

    /**
     * Whether a process's exit status says it was ended by a signal that other processes send to stop it
     * (SIGHUP, SIGINT, SIGKILL, SIGTERM: an operator's {@code kill}, {@code pkill}, the OOM killer, a JVM that
     * ran its shutdown hooks on SIGTERM), rather than one it brings on itself (SIGSEGV, SIGABRT) or an exit of
     * its own. The JDK reports a death by signal N as the status 128 + N, as shells do.
     */
    static boolean endedByOutsideSignal(int exitStatus) {
        return exitStatus == 128 + 1 || exitStatus == 128 + 2 || exitStatus == 128 + 9 || exitStatus == 128 + 15;
    }

    /** SIGSTOP: the process freezes, as a hung replica would. */
    static String stop(long pid) {
        String result = send("STOP", pid);
        // The signal is asynchronous: report the hang only once the process really is stopped, so a
        // caller never races a replica that still answers for a few more milliseconds.
        Path stat = Path.of("/proc", Long.toString(pid), "stat");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() < deadline && Files.exists(stat)) {
            try {
                String s = Files.readString(stat);
                int close = s.lastIndexOf(')');
                if (close > 0 && close + 2 < s.length() && (s.charAt(close + 2) == 'T' || s.charAt(close + 2) == 't')) {
                    return result;
                }
                Thread.onSpinWait();
            } catch (IOException e) {
                return result;
            }
        }
        return result;
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

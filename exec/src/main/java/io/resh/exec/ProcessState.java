package io.resh.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** A process's scheduling state as Linux reports it in {@code /proc/PID/stat}. */
final class ProcessState {
    private ProcessState() {
    }

    /** True if the process is stopped by a signal (state {@code T}); false if it runs, is gone, or no /proc. */
    static boolean stopped(long pid) {
        try {
            return stateIn(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.UTF_8)) == 'T';
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /**
     * The state letter of a {@code stat} line, {@code PID (COMM) STATE ...}; COMM may hold spaces and
     * parentheses itself, so the state follows the last ')'. '?' if the line is not of that form.
     */
    static char stateIn(String stat) {
        int close = stat.lastIndexOf(')');
        return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
    }
}

package io.resh.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Processes' scheduling states as Linux reports them in {@code /proc/PID/stat}. */
final class ProcessState {
    private ProcessState() {
    }

    /**
     * Who started whom and which processes are stopped by a signal (state {@code T}), read in one pass over
     * {@code /proc}; empty where there is no {@code /proc}. One pass serves every replica: this kernel offers no
     * per-process list of children, and {@link ProcessHandle#descendants()} would read all of {@code /proc}
     * once per replica.
     */
    static Table read() {
        Map<Long, List<Long>> children = new HashMap<>();
        Set<Long> stopped = new HashSet<>();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                String stat;
                try {
                    stat = Files.readString(proc.resolve("stat"), StandardCharsets.UTF_8);
                } catch (IOException | RuntimeException e) {
                    continue; // gone meanwhile
                }
                long pid = Long.parseLong(proc.getFileName().toString());
                long parent = parentIn(stat);
                if (parent > 0) {
                    children.computeIfAbsent(parent, p -> new ArrayList<>()).add(pid);
                }
                if (stateIn(stat) == 'T') {
                    stopped.add(pid);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux): nothing is seen stopped, as before this check existed.
        }
        return new Table(children, stopped);
    }

    /**
     * Whether resh has a controlling terminal ({@code tty_nr} of {@code /proc/self/stat} is not 0). Its replicas
     * share resh's session, so without one no replica can be stopped for reading the terminal: a replica that
     * stays stopped was stopped by a signal from outside (SIGSTOP, SIGTSTP). True where that cannot be read.
     */
    static boolean reshHasTerminal() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" +");
            return fields.length <= 4 || Long.parseLong(fields[4]) != 0;
        } catch (IOException | RuntimeException e) {
            return true;
        }
    }

    /**
     * The state letter of a {@code stat} line, {@code PID (COMM) STATE PPID ...}; COMM may hold spaces and
     * parentheses itself, so the state follows the last ')'. '?' if the line is not of that form.
     */
    static char stateIn(String stat) {
        int close = stat.lastIndexOf(')');
        return close >= 0 && close + 2 < stat.length() ? stat.charAt(close + 2) : '?';
    }

    /** The parent's pid in a {@code stat} line, or -1 if the line is not of the form {@code stateIn} reads. */
    static long parentIn(String stat) {
        int close = stat.lastIndexOf(')');
        if (close < 0 || close + 4 >= stat.length()) {
            return -1;
        }
        int end = stat.indexOf(' ', close + 4);
        try {
            return Long.parseLong(stat.substring(close + 4, end < 0 ? stat.length() : end).trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A snapshot of the process tree's stopped members. */
    static final class Table {
        private final Map<Long, List<Long>> children;
        private final Set<Long> stopped;

        Table(Map<Long, List<Long>> children, Set<Long> stopped) {
            this.children = children;
            this.stopped = stopped;
        }

        /**
         * True if {@code root} or a process it started (at any depth) is stopped. A descendant that put itself in
         * a process group of its own and reads the terminal is stopped alone, and the replica waits for it.
         */
        boolean stoppedWithin(long root) {
            Deque<Long> todo = new ArrayDeque<>(List.of(root));
            Set<Long> seen = new HashSet<>();
            while (!todo.isEmpty()) {
                long pid = todo.pop();
                if (!seen.add(pid)) {
                    continue; // a pid reused while /proc was read could close a loop
                }
                if (stopped.contains(pid)) {
                    return true;
                }
                todo.addAll(children.getOrDefault(pid, List.of()));
            }
            return false;
        }
    }
}

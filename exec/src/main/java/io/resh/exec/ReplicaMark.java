package io.resh.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Marks a replica's processes through their environment, which every child inherits, so that resh finds
 * them all when it must kill the replica: also those that left its process tree (a {@code (daemon &)}
 * subshell reparents the daemon to init, where {@link ProcessHandle#descendants()} no longer sees it) and
 * would otherwise outlive resh and hold the replica's output open.
 */
final class ReplicaMark {
    /** Environment variable holding the run's mark; the same in every replica, so no replica differs by it. */
    static final String RUN_ENV = "RESH_EXEC_RUN";

    private final byte[] runEntry;
    private final byte[] replicaEntry;

    /**
     * @param run a value unique to this run of the group
     * @param replica the replica's index, as in {@link ReplicaRun#REPLICA_ENV}
     */
    ReplicaMark(String run, int replica) {
        this.runEntry = entry(RUN_ENV, run);
        this.replicaEntry = entry(ReplicaRun.REPLICA_ENV, Integer.toString(replica));
    }

    /** Every live process (other than resh) whose environment carries this replica's mark. */
    List<ProcessHandle> processes() {
        List<ProcessHandle> marked = new ArrayList<>();
        long self = ProcessHandle.current().pid();
        try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
            for (Path proc : procs) {
                long pid = Long.parseLong(proc.getFileName().toString());
                if (pid != self && carriesMark(proc.resolve("environ"))) {
                    ProcessHandle.of(pid).ifPresent(marked::add);
                }
            }
        } catch (IOException | RuntimeException e) {
            // No /proc (not Linux): only the process tree can be killed.
        }
        return marked;
    }

    private boolean carriesMark(Path environ) {
        byte[] env;
        try {
            env = Files.readAllBytes(environ);
        } catch (IOException e) {
            return false; // gone meanwhile, or another user's process: not ours
        }
        return contains(env, runEntry) && contains(env, replicaEntry);
    }

    /** {@code NAME=value} with the NUL that ends it; preceded by a NUL too, unless it starts the block. */
    private static byte[] entry(String name, String value) {
        return ("\0" + name + "=" + value + "\0").getBytes(StandardCharsets.UTF_8);
    }

    private static boolean contains(byte[] env, byte[] entry) {
        // The first variable has no NUL before it: compare it without the leading one.
        if (startsWith(env, entry)) {
            return true;
        }
        outer:
        for (int i = 0; i + entry.length <= env.length; i++) {
            for (int j = 0; j < entry.length; j++) {
                if (env[i + j] != entry[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private static boolean startsWith(byte[] env, byte[] entry) {
        int n = entry.length - 1;
        if (env.length < n) {
            return false;
        }
        for (int j = 0; j < n; j++) {
            if (env[j] != entry[j + 1]) {
                return false;
            }
        }
        return true;
    }
}

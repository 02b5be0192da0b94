package io.resh.host;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The bubblewrap command line that isolates one replica: no network, the root file system read-only,
 * a private /tmp, one writable work directory, its own PID namespace, and death with the host.
 */
final class BwrapSandbox {
    private BwrapSandbox() {
    }

    /**
     * @param workDir the replica's one writable directory
     * @param readable what the replica must still read even if it lies under /tmp (class path entries,
     *     the java runtime): the private /tmp would otherwise hide them
     */
    static List<String> prefix(Path workDir, List<String> readable) {
        return prefix(workDir, readable, List.of());
    }

    /** @param writableFiles files outside {@code workDir} the replica may write (its shared body file) */
    static List<String> prefix(Path workDir, List<String> readable, List<String> writableFiles) {
        String bwrap = find();
        String dir = workDir.toAbsolutePath().toString();
        List<String> cmd = new ArrayList<>(List.of(bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                "--tmpfs", "/tmp"));
        for (String path : readable) {
            String abs = Path.of(path).toAbsolutePath().normalize().toString();
            if (abs.startsWith("/tmp/")) {
                cmd.addAll(List.of("--ro-bind-try", abs, abs));
            }
        }
        for (String file : writableFiles) {
            if (!Path.of(file).startsWith(dir)) {
                cmd.addAll(List.of("--bind", file, file)); // after --dev and --tmpfs, which would hide it
            }
        }
        cmd.addAll(List.of("--bind", dir, dir, "--chdir", dir, "--unshare-all", "--die-with-parent", "--new-session", "--"));
        return cmd;
    }

    static String find() {
        return Binaries.find("bwrap", "sandbox", "install bubblewrap (apt-get install bubblewrap) or set sandbox: none");
    }
}

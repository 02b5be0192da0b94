package io.resh.host;

import io.resh.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bubblewrap command line that isolates one replica: no network, the root file system read-only,
 * a private /tmp, one writable work directory, its own PID namespace, and death with the host.
 */
final class BwrapSandbox {
    private BwrapSandbox() {
    }

    static List<String> prefix(Path workDir) {
        String bwrap = find();
        String dir = workDir.toAbsolutePath().toString();
        return List.of(bwrap, "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp",
                "--bind", dir, dir, "--chdir", dir, "--unshare-all", "--die-with-parent", "--new-session", "--");
    }

    static String find() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "bwrap");
            if (Files.isExecutable(p)) {
                return p.toString();
            }
        }
        throw new ConfigException("sandbox", "bwrap is not installed; install bubblewrap (apt-get install bubblewrap) or set sandbox: none");
    }
}

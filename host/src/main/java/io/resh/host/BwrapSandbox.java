package io.resh.host;

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
        return Binaries.find("bwrap", "sandbox", "install bubblewrap (apt-get install bubblewrap) or set sandbox: none");
    }
}

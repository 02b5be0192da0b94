package io.resh.exec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds the bubblewrap command line that isolates one replica: no network, a read-only view of
 * the host's file system, its own PID and IPC namespaces, a private /tmp and /dev/shm, and its
 * work directory as the only other writable place. It dies with resh ({@code --die-with-parent}).
 */
final class Sandbox {
    static final String INSTALL_HINT = "install it with 'apt-get install bubblewrap' (or your distribution's"
            + " bubblewrap package)";

    private final Path bwrap;

    Sandbox(Path bwrap) {
        this.bwrap = bwrap;
    }

    /**
     * Finds bubblewrap and checks that it can create a sandbox here.
     *
     * @throws ExecSetupException if bwrap is missing or can't create namespaces
     */
    static Sandbox locate() {
        return locate(System.getenv("PATH"));
    }

    /** As {@link #locate()}, searching the given PATH value. */
    static Sandbox locate(String path) {
        Path bwrap = ProgramPath.find("bwrap", path).orElseThrow(() -> new ExecSetupException(ExitCodes.SETUP_FAILED,
                "--sandbox needs bubblewrap (bwrap), which is not installed: " + INSTALL_HINT));
        Sandbox sandbox = new Sandbox(bwrap);
        sandbox.probe();
        return sandbox;
    }

    /** The argv that runs {@code command} sandboxed, in {@code workDir}. */
    List<String> wrap(List<String> command, Path workDir, Path startDir) {
        List<String> argv = new ArrayList<>(List.of(bwrap.toString(),
                "--ro-bind", "/", "/",
                "--dev", "/dev",
                "--proc", "/proc",
                "--tmpfs", "/tmp",
                "--tmpfs", "/dev/shm"));
        if (startDir.startsWith("/tmp")) {
            // The private /tmp hides the start directory; bring it back, read-only, so inputs resolve.
            argv.addAll(List.of("--ro-bind", startDir.toString(), startDir.toString()));
        }
        argv.addAll(List.of(
                "--bind", workDir.toString(), workDir.toString(),
                "--chdir", workDir.toString(),
                "--unshare-net",
                "--unshare-pid",
                "--unshare-ipc",
                "--die-with-parent",
                "--new-session",
                "--"));
        argv.addAll(command);
        return List.copyOf(argv);
    }

    private void probe() {
        String yes = ProgramPath.find("true").map(Path::toString).orElse(null);
        if (yes == null) {
            return;
        }
        Process p;
        try {
            p = new ProcessBuilder(bwrap.toString(), "--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc",
                    "--unshare-net", "--unshare-pid", "--die-with-parent", "--", yes)
                    .redirectErrorStream(true).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot run " + bwrap + ": " + e.getMessage(), e);
        }
        try {
            String output = new String(p.getInputStream().readNBytes(4096), StandardCharsets.UTF_8).trim();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new ExecSetupException(ExitCodes.SETUP_FAILED, "bubblewrap did not start a test sandbox within 10s");
            }
            if (p.exitValue() != 0) {
                throw new ExecSetupException(ExitCodes.SETUP_FAILED, "bubblewrap cannot create a sandbox here ("
                        + (output.isEmpty() ? "exit " + p.exitValue() : output) + "); unprivileged user namespaces"
                        + " may be disabled (sysctl kernel.unprivileged_userns_clone=1)");
            }
        } catch (IOException e) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "cannot run " + bwrap + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "interrupted while checking bubblewrap", e);
        }
    }
}

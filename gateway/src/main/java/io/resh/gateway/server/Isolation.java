package io.resh.gateway.server;

import io.resh.core.CpuList;
import io.resh.core.config.Sandbox;
import io.resh.gateway.GatewayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command prefix that isolates one server beyond being its own process: pinned to one core with
 * {@code taskset} (util-linux), and/or under bubblewrap with a read-only root, a private /tmp and its data
 * directory as the one writable place. The sandbox keeps the network: the gateway reaches the server on
 * loopback. A server that writes outside its directory gets an error from the kernel (read-only file
 * system), which it reports, or exits on, like any other failure.
 */
final class Isolation {
    private Isolation() {
    }

    /** The CPUs this process may run on (see {@link CpuList}); every CPU the JVM counts where /proc can't tell. */
    private static final List<Integer> ALLOWED = allowed();

    /**
     * The core replica {@code slot} is pinned to, or -1 when the config does not pin: the slot-th of the
     * CPUs this process may run on, round robin.
     */
    static int core(GatewayConfig.Server server, int slot) {
        return server.pin() ? ALLOWED.get(slot % ALLOWED.size()) : -1;
    }

    private static List<Integer> allowed() {
        List<String> status = List.of(); // not Linux: every CPU the JVM counts
        try {
            status = Files.readAllLines(Path.of("/proc/self/status"));
        } catch (IOException e) {
            // as above
        }
        return CpuList.allowedIn(status, Runtime.getRuntime().availableProcessors());
    }

    /**
     * @throws IOException naming the missing program and its Debian package, when the config asks for
     *     isolation this machine cannot give
     */
    static List<String> prefix(GatewayConfig.Server server, int slot, Path dataDir) throws IOException {
        List<String> cmd = new ArrayList<>();
        int core = core(server, slot);
        if (core >= 0) {
            cmd.addAll(List.of(find("taskset", "server.pin: true", "util-linux"), "-c", Integer.toString(core)));
        }
        if (server.sandbox() == Sandbox.BWRAP) {
            String dir = dataDir.toAbsolutePath().toString();
            cmd.addAll(List.of(find("bwrap", "server.sandbox: bwrap", "bubblewrap"), "--ro-bind", "/", "/",
                    "--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--bind", dir, dir, "--chdir", dir,
                    "--unshare-all", "--share-net", "--die-with-parent", "--"));
        }
        return cmd;
    }

    private static String find(String program, String setting, String debianPackage) throws IOException {
        return OnPath.find(program).orElseThrow(() -> new IOException(setting + " needs " + program
                + ", which is not on the PATH (apt-get install " + debianPackage + ")"));
    }
}

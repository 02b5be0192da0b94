package io.resh.gateway.server;

import io.resh.core.ConfigException;
import io.resh.core.config.Sandbox;
import io.resh.gateway.GatewayConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The programs a gateway's servers are launched with, looked up before anything starts. A missing one was found
 * only when every replica failed to start, twice: the work directory was kept "for post-mortem" with nothing in it
 * but the launch lines, and the error named a replica rather than the setting to fix.
 */
public final class ServerPrograms {
    private ServerPrograms() {
    }

    /**
     * @throws ConfigException naming {@code server.command} (or {@code server.command[i]}) whose program cannot be
     *     run, or {@code server.pin} / {@code server.sandbox} whose helper program is not installed
     */
    public static void requireInstalled(GatewayConfig.Server server) {
        List<List<String>> commands = server.commands();
        boolean diverse = commands.stream().distinct().count() > 1;
        for (int i = 0; i < commands.size(); i++) {
            String problem = whyNotRunnable(commands.get(i).get(0));
            if (problem != null) {
                throw new ConfigException(diverse ? "server.command[" + i + "]" : "server.command", problem);
            }
        }
        if (server.pin() && OnPath.find("taskset").isEmpty()) {
            throw new ConfigException("server.pin", "true needs taskset, which is not on the PATH (apt-get install util-linux)");
        }
        if (server.sandbox() == Sandbox.BWRAP && OnPath.find("bwrap").isEmpty()) {
            throw new ConfigException("server.sandbox", "bwrap needs bwrap, which is not on the PATH (apt-get install bubblewrap)");
        }
    }

    /**
     * Why {@code program} cannot be run, as "cannot run 'x': ...", or null when it can or cannot be told yet: a
     * placeholder is substituted at each start, and a relative path is resolved in the replica's data directory.
     */
    static String whyNotRunnable(String program) {
        if (program.contains("{")) {
            return null;
        }
        if (program.contains("/")) {
            if (!program.startsWith("/")) {
                return null; // the exit code will tell
            }
            Path p = Path.of(program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return null;
            }
            return "cannot run '" + program + "': " + (!Files.exists(p) ? "no such file"
                    : Files.isDirectory(p) ? "it is a directory" : "not executable");
        }
        return OnPath.find(program).isPresent() ? null : "cannot run '" + program + "': no such program on the PATH";
    }
}

package io.resh.exec;

import io.resh.core.ConfigException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options turned into something that can be launched: programs found, the start directory
 * resolved, the sandbox and core pinning checked. Built once per run, before any replica starts,
 * so every setup problem surfaces as one clear error and nothing half-runs.
 */
final class ExecPlan {
    private final ExecOptions options;
    private final Path startDir;
    private final List<List<String>> commands;
    private final Sandbox sandbox;
    private final CorePinning pinning;
    private final Path workRoot;

    private ExecPlan(ExecOptions options, Path startDir, List<List<String>> commands, Sandbox sandbox,
                     CorePinning pinning, Path workRoot) {
        this.options = options;
        this.workRoot = workRoot;
        this.startDir = startDir;
        this.commands = commands;
        this.sandbox = sandbox;
        this.pinning = pinning;
    }

    /**
     * A missing file and a directory were both "not a readable file", which left the user to find out which; a
     * mistyped name is the usual case.
     */
    private static void checkStdinFile(Path stdin) {
        if (stdin.toString().isEmpty()) {
            throw new ConfigException("--stdin", "the file name is empty");
        }
        String why = !Files.exists(stdin) ? "does not exist"
                : Files.isDirectory(stdin) ? "is a directory, not a file"
                : !Files.isRegularFile(stdin) ? "is not a regular file"
                : !Files.isReadable(stdin) ? "is not readable (permission denied)"
                : null;
        if (why != null) {
            throw new ConfigException("--stdin", "'" + stdin + "' " + why);
        }
    }

    /**
     * @throws ConfigException if the start directory, the stdin file or the work root is unusable
     * @throws ExecSetupException if a program, bubblewrap or taskset is missing, or the temporary directory
     */
    static ExecPlan prepare(ExecOptions options) {
        Path startDir;
        try {
            startDir = options.startDir().toRealPath();
        } catch (IOException e) {
            throw new ConfigException("startDir", "'" + options.startDir() + "' is not an existing directory");
        }
        if (!Files.isDirectory(startDir)) {
            throw new ConfigException("startDir", "'" + startDir + "' is not a directory");
        }
        if (options.stdin() != null) {
            checkStdinFile(options.stdin());
        }
        for (Path output : options.outputs()) {
            checkPlaceable(startDir, output);
        }
        Path workRoot = options.checkedWorkRoot();
        List<List<String>> commands = new ArrayList<>();
        for (List<String> argv : options.commands()) {
            commands.add(ProgramPath.resolve(argv, startDir));
        }
        Sandbox sandbox = options.sandbox() ? Sandbox.locate() : null;
        CorePinning pinning = options.pin() ? CorePinning.locate() : null;
        return new ExecPlan(options, startDir, List.copyOf(commands), sandbox, pinning, workRoot);
    }

    /**
     * Refuses an output whose voted copy could not be placed in the start directory: a directory there, or a file
     * on its way ({@code --output data.txt/x}), before anything runs: found only after the replicas ran and agreed,
     * it would cost the whole run.
     */
    private static void checkPlaceable(Path startDir, Path output) {
        Path at = startDir;
        for (int i = 0; i < output.getNameCount(); i++) {
            at = at.resolve(output.getName(i));
            boolean last = i == output.getNameCount() - 1;
            if (last && Files.isDirectory(at)) {
                throw new ConfigException("--output", "'" + output + "' is a directory here; only a regular file is"
                        + " voted and placed");
            }
            if (!last && Files.exists(at) && !Files.isDirectory(at)) {
                throw new ConfigException("--output", "'" + output + "': " + output.subpath(0, i + 1)
                        + " is a file here, not a directory, so the voted copy could not be placed");
            }
        }
    }

    ExecOptions options() {
        return options;
    }

    Path startDir() {
        return startDir;
    }

    /** The existing directory the work directories and held output go under. */
    Path workRoot() {
        return workRoot;
    }

    int replicas() {
        return commands.size();
    }

    /** The core replica {@code replica} is pinned to, or -1 when not pinned. */
    int coreOf(int replica) {
        return pinning == null ? -1 : pinning.coreOf(replica);
    }

    /** The command as the user gave it for {@code replica} (for reports). */
    List<String> command(int replica) {
        return options.commands().get(replica);
    }

    /**
     * The full argv that launches {@code replica} in {@code workDir}: the {@link LaunchPrefix} (parent-death
     * signal, its own process group), taskset, then bwrap, then the program.
     */
    List<String> argv(int replica, Path workDir) {
        List<String> argv = commands.get(replica);
        if (sandbox != null) {
            argv = sandbox.wrap(argv, workDir, startDir);
        }
        if (pinning != null) {
            argv = pinning.wrap(argv, pinning.coreOf(replica));
        }
        // A process group of its own (a terminal's Ctrl-C must reach resh alone, which then kills the replica), and
        // killed with resh even by kill -9.
        return LaunchPrefix.wrap(argv);
    }
}

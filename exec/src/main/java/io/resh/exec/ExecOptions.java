package io.resh.exec;

import io.resh.core.ConfigException;
import io.resh.core.Quorum;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What {@code resh exec} should run and how, validated once on construction. Errors name the
 * command-line flag they come from.
 *
 * <p>Start from {@link #replicated(int, List)} (N copies of one command) or {@link #versions(List)}
 * (one shell command per replica, for N-version diversity) and adjust with the {@code with...}
 * methods.
 *
 * @param commands the argv of every replica, one list per replica
 * @param nVersion true when every replica runs its own command through {@code sh -c}
 * @param stdin the file every replica reads as stdin, or null for an empty stdin
 * @param timeout how long a replica may run before it is killed and counted faulty, or null for no limit
 * @param ignoreStderr don't vote on stderr; show replica 0's stderr as it comes, unvoted
 * @param outputs files every replica writes in its own work directory (relative paths); the voted
 *     copy is placed at the same path under {@code startDir}
 * @param sandbox run every replica under bubblewrap (no network, read-only root, private /tmp)
 * @param pin pin every replica to its own CPU core (round-robin when replicas outnumber cores)
 * @param retry when the vote fails (DMR mismatch, no majority), run the whole group once more
 * @param startDir the directory resh was started in: relative inputs are linked from it, voted
 *     outputs are placed in it
 * @param workRoot where replica work directories are created, or null for the system temp directory
 * @param linkStartDir link every entry of {@code startDir} into each work directory so that
 *     relative input paths resolve
 * @param keepWorkDirs keep the replica work directories after the run (for inspection)
 * @param streamWindow how many bytes a replica's output may run ahead of the slowest live replica
 *     before its reader waits; bounds memory
 * @param bufferLimit 0 to stream each voted byte once f+1 replicas agree on it; else hold the voted stdout
 *     and stderr (in temporary files, at most this many bytes each) until the whole vote is in, and show
 *     them only if it agreed: all or nothing
 */
public record ExecOptions(
        List<List<String>> commands,
        boolean nVersion,
        Path stdin,
        Duration timeout,
        boolean ignoreStderr,
        List<Path> outputs,
        boolean sandbox,
        boolean pin,
        boolean retry,
        Path startDir,
        Path workRoot,
        boolean linkStartDir,
        boolean keepWorkDirs,
        int streamWindow,
        long bufferLimit) {

    /** Default {@link #streamWindow()}: 4 MiB per replica and stream. */
    public static final int DEFAULT_STREAM_WINDOW = 4 << 20;
    private static final int MIN_STREAM_WINDOW = 64 << 10;
    /**
     * Default {@link #bufferLimit()}: 1 GiB per stream. A program that never stops writing (or writes far more
     * than anyone reads) would otherwise fill the disk, since nothing reads the held bytes to push back.
     */
    public static final long DEFAULT_BUFFER_LIMIT = 1L << 30;
    /**
     * The most replicas one run may have: as many as a served group ({@code replicas: 1 to 64}). Each replica
     * costs a process, two named pipes and their reader threads, and past a handful it masks nothing the vote
     * needs; a mistyped {@code -n 100000} would otherwise exhaust memory or the argument list of mkfifo.
     */
    public static final int MAX_REPLICAS = io.resh.core.config.GroupConfig.MAX_REPLICAS;

    public ExecOptions {
        if (commands == null || commands.isEmpty()) {
            throw new ConfigException("--replicas", "at least 1 replica is needed");
        }
        if (commands.size() > MAX_REPLICAS) {
            throw tooMany(commands.size(), nVersion);
        }
        List<List<String>> copy = new ArrayList<>();
        for (List<String> argv : commands) {
            if (argv != null && !argv.isEmpty() && argv.get(0).isBlank()) {
                // resh exec -- "$CMD" with CMD unset: a word was given after --, it is only empty.
                throw new ConfigException("COMMAND", "the command's name is empty ('" + argv.get(0) + "')");
            }
            if (argv == null || argv.isEmpty()) {
                throw new ConfigException("COMMAND",
                        "no command given: put it after --, e.g. resh exec -n 3 -- sort data.txt");
            }
            copy.add(List.copyOf(argv));
        }
        commands = List.copyOf(copy);
        if (timeout != null) {
            ConfigException.requirePositive("--timeout", timeout);
        }
        startDir = (startDir == null ? Path.of("") : startDir).toAbsolutePath().normalize();
        outputs = checkOutputs(outputs);
        ConfigException.requireAtLeast("--buffer", bufferLimit, 0);
        ConfigException.requireAtLeast("streamWindow", streamWindow, MIN_STREAM_WINDOW);
    }

    /** N copies of one command, with the same arguments, environment and stdin. */
    public static ExecOptions replicated(int replicas, List<String> command) {
        ConfigException.requireBetween("--replicas", replicas, 1, MAX_REPLICAS);
        List<List<String>> commands = new ArrayList<>();
        for (int i = 0; i < replicas; i++) {
            commands.add(command);
        }
        return new ExecOptions(commands, false, null, null, false, List.of(), false, false, false, null, null,
                true, false, DEFAULT_STREAM_WINDOW, 0);
    }

    /** N-version execution: replica i runs {@code sh -c shellCommands[i]}. */
    public static ExecOptions versions(List<String> shellCommands) {
        if (shellCommands == null || shellCommands.isEmpty()) {
            throw new ConfigException("--version", "at least one version is needed");
        }
        if (shellCommands.size() > MAX_REPLICAS) {
            throw tooMany(shellCommands.size(), true);
        }
        List<List<String>> commands = new ArrayList<>();
        for (String command : shellCommands) {
            if (command == null || command.isBlank()) {
                throw new ConfigException("--version", "a version's command is empty");
            }
            commands.add(List.of("sh", "-c", command));
        }
        return new ExecOptions(commands, true, null, null, false, List.of(), false, false, false, null, null,
                true, false, DEFAULT_STREAM_WINDOW, 0);
    }

    /** The number of replicas. */
    public int replicas() {
        return commands.size();
    }

    public Quorum quorum() {
        return new Quorum(replicas());
    }

    public ExecOptions withStdin(Path file) {
        return new ExecOptions(commands, nVersion, file, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withTimeout(Duration limit) {
        return new ExecOptions(commands, nVersion, stdin, limit, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withIgnoreStderr(boolean ignore) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignore, outputs, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withOutputs(List<Path> files) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, files, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withSandbox(boolean enabled) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, enabled, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withPin(boolean enabled) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, enabled, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withRetry(boolean enabled) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, enabled,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withStartDir(Path dir) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                dir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withWorkRoot(Path dir) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, dir, linkStartDir, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withLinkStartDir(boolean link) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, workRoot, link, keepWorkDirs, streamWindow, bufferLimit);
    }

    public ExecOptions withKeepWorkDirs(boolean keep) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keep, streamWindow, bufferLimit);
    }

    public ExecOptions withStreamWindow(int bytes) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, bytes, bufferLimit);
    }

    /**
     * All or nothing: hold stdout and stderr (up to {@link #DEFAULT_BUFFER_LIMIT} bytes each) until the vote
     * is in, and show them only if it agreed.
     */
    public ExecOptions withBuffer(boolean enabled) {
        return withBufferLimit(enabled ? DEFAULT_BUFFER_LIMIT : 0);
    }

    /** As {@link #withBuffer}, holding at most {@code bytes} of each stream (0 = stream, don't hold). */
    public ExecOptions withBufferLimit(long bytes) {
        return new ExecOptions(commands, nVersion, stdin, timeout, ignoreStderr, outputs, sandbox, pin, retry,
                startDir, workRoot, linkStartDir, keepWorkDirs, streamWindow, bytes);
    }

    /**
     * The directory the work directories, the held output and the copy of stdin go under: {@link #workRoot()},
     * else the JVM's temporary directory ({@code java.io.tmpdir}). It must exist already: creating a mistyped
     * path would leave a stray tree behind (as root, even a directory at /).
     *
     * @throws ConfigException if {@code --work-root} is missing or not a directory
     * @throws ExecSetupException if {@code java.io.tmpdir} is
     */
    public Path checkedWorkRoot() {
        if (workRoot != null) {
            if (workRoot.toString().isEmpty()) {
                // An unset variable (--work-root "$DIR"): the empty path is the current directory, which would then
                // collect resh-exec-* directories and, after a kill -9, keep them.
                throw new ConfigException("--work-root", "the directory name is empty");
            }
            if (!Files.isDirectory(workRoot)) {
                throw new ConfigException("--work-root", workRoot + (Files.exists(workRoot)
                        ? " is not a directory" : " does not exist (resh does not create it)"));
            }
            return workRoot;
        }
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        if (!Files.isDirectory(tmp)) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "the temporary directory " + tmp + " (java.io.tmpdir) "
                    + (Files.exists(tmp) ? "is not a directory" : "does not exist") + "; create it, or give --work-root DIR");
        }
        return tmp;
    }

    /** True when the output is held until the vote is in ({@code --buffer}). */
    public boolean buffer() {
        return bufferLimit > 0;
    }

    private static ConfigException tooMany(int replicas, boolean nVersion) {
        return nVersion
                ? ConfigException.expected("--version", "at most " + MAX_REPLICAS + " versions (one replica each)",
                        Integer.toString(replicas))
                : ConfigException.expected("--replicas", "1 to " + MAX_REPLICAS, Integer.toString(replicas));
    }

    private static List<Path> checkOutputs(List<Path> outputs) {
        if (outputs == null) {
            return List.of();
        }
        Set<Path> seen = new HashSet<>();
        List<Path> checked = new ArrayList<>();
        for (Path file : outputs) {
            if (file == null || file.toString().isBlank()) {
                throw new ConfigException("--output", "a file name is empty");
            }
            if (file.isAbsolute()) {
                throw new ConfigException("--output", "'" + file + "' must be a relative path: every replica writes"
                        + " its own copy in its work directory and the voted copy goes to the same relative path");
            }
            Path normal = file.normalize();
            if (normal.toString().isEmpty() || normal.startsWith("..")) {
                throw new ConfigException("--output", "'" + file + "' must name a file inside the work directory");
            }
            if (!seen.add(normal)) {
                throw new ConfigException("--output", "'" + file + "' is declared twice");
            }
            checked.add(normal);
        }
        return List.copyOf(checked);
    }
}

package io.resh.cli;

import io.resh.core.ByteSizes;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import io.resh.core.FileErrors;
import io.resh.exec.ExecOptions;
import io.resh.exec.ExecReport;
import io.resh.exec.ExecResult;
import io.resh.exec.ExecRunner;
import io.resh.exec.ExecSetupException;
import io.resh.exec.ExitCodes;
import java.io.File;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code resh exec}: run a command as N replicas and vote on stdout, stderr, exit code and output files. */
@Command(name = "exec", sortOptions = false,
        description = {
            "Run COMMAND as N replicas and vote on its output, exit code and files.",
            "Every replica gets the same arguments, environment and stdin. Voted stdout",
            "and stderr stream out as soon as f+1 replicas agree on each byte; the voted",
            "exit code is resh's exit code; files declared with --output are voted by",
            "SHA-256. A minority that differs is reported on stderr (replica, byte",
            "offset, hex and text).",
            "",
            "  resh exec -n 3 -- sha256sum big.iso",
            "  resh exec -n 3 --sandbox --pin -- python3 model.py --input data.csv",
            "  resh exec --version 'sort -n data.txt' \\",
            "            --version 'python3 sort.py data.txt' \\",
            "            --version 'java -jar sort.jar data.txt'",
            ""},
        footerHeading = "%nWork directories:%n",
        footer = {
            "Each replica runs in its own temporary work directory. It holds a link",
            "to every entry of the current directory (so relative inputs resolve)",
            "and receives every file the replica creates. --output FILE is relative",
            "to the work directory; the voted copy is placed at FILE relative to the",
            "current directory. RESH_REPLICA (0..N-1) tells a replica its index.",
            "Without --sandbox, a replica that overwrites an existing file of the",
            "current directory writes the shared original; with --sandbox all but",
            "the work directory and a private /tmp and /dev/shm is read-only.",
            "They are deleted after the run, also on Ctrl-C; after a kill -9 of resh",
            "they stay (resh-exec-*, resh-stdin-*.bin under the temp directory).",
            "",
            "Exit codes:",
            "  0-255  the replicas' voted exit code",
            "  2      invalid options",
            "  124    too few replicas finished within --timeout for a majority",
            "  125    replicas disagreed, no majority (with -n 2: any mismatch)",
            "  126    the command cannot run (not executable), or the replicas could",
            "         not be set up (bwrap or taskset missing, no temp directory,",
            "         stdin past --max-stdin or failing to read, ...), or their",
            "         stdin file changed while they ran and any of them disagreed",
            "  127    the command was not found",
            "  130    interrupted by Ctrl-C (SIGINT), 143 by SIGTERM, 129 by a hang-up:",
            "         the replicas were killed; a --report is still written",
            "  141    resh's output was closed (e.g. piped into head) or could not be",
            "         written (a full disk), or --buffer held 1 GiB of one stream;",
            "         the replicas were stopped; or they agreed, but a voted",
            "         --output file could not be placed",
            "When resh chose the code itself, its last stderr line starts with",
            "'resh exec:' and says why. See docs/EXEC.md."})
public class ExecCommand implements Callable<Integer> {

    @Option(names = {"-n", "--replicas"}, paramLabel = "N",
            description = "Number of replicas, 1 to 64 (default 3; with --version, one per version). "
                    + "N>=3 masks (N-1)/2 faulty replicas; N=2 only detects.")
    Integer replicas;

    @Option(names = "--version", paramLabel = "CMD",
            description = "N-version execution: each --version is one replica's own command, run with sh -c. "
                    + "Repeat it once per replica; do not give a COMMAND then.")
    List<String> versions = new ArrayList<>();

    @Option(names = "--timeout", paramLabel = "DURATION",
            description = "Kill a replica still running after DURATION (e.g. 500ms, 30s, 5m) and count it faulty. "
                    + "Default: no limit.")
    String timeout;

    @Option(names = "--ignore-stderr",
            description = "Don't vote on stderr; show replica 0's stderr unvoted as it comes.")
    boolean ignoreStderr;

    @Option(names = "--output", paramLabel = "FILE",
            description = "A file the command writes, relative to the work directory; each replica writes its "
                    + "own copy and the voted one is placed at FILE relative to the current directory. Repeatable.")
    List<String> outputs = new ArrayList<>();

    @Option(names = "--sandbox",
            description = "Run each replica under bubblewrap: no network, read-only root, private work directory, "
                    + "/tmp and /dev/shm, own PID namespace, dies with resh. Needs bwrap (apt-get install bubblewrap).")
    boolean sandbox;

    @Option(names = "--pin",
            description = "Run each replica on its own CPU core (round-robin when N exceeds the cores), with taskset "
                    + "(apt-get install util-linux). Reports name every replica's core.")
    boolean pin;

    @Option(names = "--retry",
            description = "If the vote fails (a DMR mismatch, no majority, too many timeouts), run the whole group "
                    + "once more; output already shown is checked, not repeated.")
    boolean retry;

    @Option(names = "--buffer",
            description = "All or nothing: hold stdout and stderr until the whole vote is in (output, exit code, "
                    + "files) and show them only if the replicas agreed (at most 1 GiB per stream). Default: stream "
                    + "each byte as soon as f+1 replicas agree on it.")
    boolean buffer;

    @Option(names = "--report", paramLabel = "FILE",
            description = "Write a JSON report: replicas, cores, exit codes, timings, SHA-256 digests, faults. "
                    + "FILE's directory must exist. If FILE cannot be written after the run, resh says so and "
                    + "keeps the exit code.")
    Path report;

    @Option(names = "--stdin", paramLabel = "FILE",
            description = "Feed FILE to every replica as stdin. Default: resh's stdin, read once (none if it is a "
                    + "terminal or closed).")
    Path stdinFile;

    @Option(names = "--no-stdin", description = "Give the replicas an empty stdin; don't read resh's stdin.")
    boolean noStdin;

    @Option(names = "--max-stdin", paramLabel = "SIZE",
            description = "Copy at most SIZE of stdin (or of a --stdin pipe) for the replicas, e.g. 64MiB; past it "
                    + "resh starts nothing and exits 126. Default: 1GiB. A regular file, as --stdin FILE or as < FILE, "
                    + "is not copied and has no bound.")
    String maxStdin;

    @Option(names = "--work-root", paramLabel = "DIR",
            description = "Create the replica work directories under DIR, which must exist (default: the JVM's "
                    + "temp directory, java.io.tmpdir, which must exist too).")
    Path workRoot;

    @Option(names = "--keep-workdirs", description = "Keep the replica work directories after the run.")
    boolean keepWorkDirs;

    @Option(names = "--empty-workdir",
            description = "Start replicas in an empty work directory, without links to the current directory.")
    boolean emptyWorkDir;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help.")
    boolean help;

    @Parameters(paramLabel = "COMMAND", arity = "0..*",
            description = "The command and its arguments (put -- before it).")
    List<String> command = new ArrayList<>();

    /** The default of {@code --max-stdin}: the bound {@code --buffer} puts on voted output, 1 GiB. */
    static final long DEFAULT_MAX_STDIN = ExecOptions.DEFAULT_BUFFER_LIMIT;
    /** How long resh reads its stdin before it says that the replicas wait for its end. */
    Duration stdinNotice = Duration.ofSeconds(5);
    private CommandSpec spec;
    private final InputStream stdin;
    private final OutputStream out;
    private final OutputStream err;
    /** A terminal, or closed: the replicas get an empty stdin instead. */
    private final boolean stdinUnread;
    /** {@link #stdin} is this process's descriptor 0, which may be a regular file the replicas can read themselves. */
    private final boolean ownStdin;

    /** Reads resh's own stdin and writes to its stdout and stderr. */
    public ExecCommand() {
        this(System.in, new FileOutputStream(FileDescriptor.out), new FileOutputStream(FileDescriptor.err),
                noStdinToRead(), true);
    }

    ExecCommand(InputStream stdin, OutputStream out, OutputStream err, boolean stdinUnread) {
        this(stdin, out, err, stdinUnread, false);
    }

    private ExecCommand(InputStream stdin, OutputStream out, OutputStream err, boolean stdinUnread,
                        boolean ownStdin) {
        this.stdin = stdin;
        this.out = out;
        this.err = err;
        this.stdinUnread = stdinUnread;
        this.ownStdin = ownStdin;
    }

    /** Options after the first COMMAND word belong to the command, not to resh. */
    @Spec
    void configure(CommandSpec spec) {
        spec.parser().stopAtPositional(true);
        this.spec = spec;
    }

    @Override
    public Integer call() throws InterruptedException {
        Path copiedStdin = null;
        ExecInterruption interruption = new ExecInterruption(this::say, report).open();
        try {
            checkArgumentsArrivedWhole();
            checkCurrentDirectoryReachable();
            ExecOptions options = options();
            long stdinLimit = stdinLimit();
            if (report != null) {
                ExecReport.checkTarget(report);
                checkReportReplacesNothing(options);
            }
            Path root = options.checkedWorkRoot();
            if (stdinFile != null && readableStream(stdinFile)) {
                // A pipe or a device (<(zcat data.gz), /dev/null) can be read once only: copy it as resh's own stdin.
                Path pipe = stdinFile;
                copiedStdin = copyStdin(() -> {
                    try {
                        return Files.newInputStream(pipe); // a FIFO: blocks until something opens it for writing
                    } catch (IOException e) {
                        throw new ConfigException("--stdin", "cannot read '" + pipe + "': " + FileErrors.describe(e));
                    }
                }, "--stdin " + stdinFile, stdinLimit, root);
                options = options.withStdin(copiedStdin);
            } else if (stdinFile != null) {
                options = options.withStdin(stdinFile);
            } else if (!noStdin && !stdinUnread) {
                Path file = ownStdin ? regularStdin() : null;
                if (file != null) {
                    options = options.withStdin(file);
                } else {
                    copiedStdin = copyStdin(() -> stdin, "stdin", stdinLimit, root);
                    options = options.withStdin(copiedStdin);
                }
            }
            ExecRunner.launchWarning(options).ifPresent(why -> say("resh exec: warning: " + why));
            interruption.started();
            ExecResult result = new ExecRunner(out, err).run(options);
            boolean interrupted = interruption.interrupted();
            if (interrupted) {
                // The replicas were killed under the run: its faults and verdict are the kill's, not the command's.
                result = result.interrupted(interruption.exitCode(result.exitCode()), interruption.reason());
            }
            if (keepWorkDirs) {
                // Before the notices: the verdict stays the last line. Without a report nothing else says where.
                say("resh exec: --keep-workdirs: the replicas' work directories are kept in "
                        + String.join(", ", keptRoots(result)));
            }
            if (!interrupted) {
                result.notices().forEach(this::say);
            }
            if (report != null) {
                ExecOptions ran = options;
                ExecResult outcome = result;
                try {
                    interruption.writeReport(() -> ExecReport.write(ran, outcome, report));
                } catch (IOException e) {
                    // The exit code stays the replicas': a script branching on it must not read a failed report as
                    // the command's failure. The usual mistakes (a missing directory) were refused before the run.
                    say("resh exec: --report: cannot write the report: " + FileErrors.describe(e));
                }
            }
            return result.exitCode();
        } catch (ConfigException e) {
            say("resh exec: " + e.getMessage());
            return ExitCodes.USAGE;
        } catch (ExecSetupException e) {
            say("resh exec: " + e.getMessage());
            return e.exitCode();
        } finally {
            interruption.close();
            if (copiedStdin != null) {
                try {
                    Files.deleteIfExists(copiedStdin);
                } catch (IOException e) {
                    // A leftover temp file is harmless.
                }
            }
        }
    }

    private ExecOptions options() {
        if (stdinFile != null && noStdin) {
            throw new ConfigException("--stdin", "give either --stdin FILE or --no-stdin, not both");
        }
        ExecOptions options;
        if (!versions.isEmpty()) {
            if (!command.isEmpty()) {
                throw new ConfigException("--version", "give either --version commands or one COMMAND after --, "
                        + "not both (got COMMAND " + String.join(" ", command) + ")");
            }
            if (replicas != null && replicas != versions.size()) {
                throw ConfigException.expected("--replicas", versions.size() + ", one per --version (or leave -n out)",
                        replicas.toString());
            }
            options = ExecOptions.versions(versions);
        } else {
            options = ExecOptions.replicated(replicas == null ? 3 : replicas, command);
        }
        List<Path> files = new ArrayList<>();
        for (String file : outputs) {
            files.add(Path.of(file));
        }
        return options
                .withTimeout(timeout == null ? null : Durations.parse("--timeout", timeout))
                .withIgnoreStderr(ignoreStderr)
                .withOutputs(files)
                .withSandbox(sandbox)
                .withPin(pin)
                .withRetry(retry)
                .withBuffer(buffer)
                .withWorkRoot(workRoot)
                .withKeepWorkDirs(keepWorkDirs)
                .withLinkStartDir(!emptyWorkDir);
    }

    /**
     * Refuses a report that would be written over the run's input or over a voted output: {@code --stdin data.txt
     * --report data.txt} replaced the input with the report once the run was over, and {@code --output out.txt
     * --report out.txt} the voted file.
     */
    private void checkReportReplacesNothing(ExecOptions options) {
        if (stdinFile != null && sameFile(report, stdinFile)) {
            throw new ConfigException("--report", "'" + report + "' is the --stdin file, which the report would"
                    + " replace; name another report file");
        }
        for (Path output : options.outputs()) {
            if (sameFile(report, options.startDir().resolve(output))) {
                throw new ConfigException("--report", "'" + report + "' is also an --output, whose voted copy the"
                        + " report would replace; name another report file");
            }
        }
    }

    private static boolean sameFile(Path a, Path b) {
        if (a.toAbsolutePath().normalize().equals(b.toAbsolutePath().normalize())) {
            return true;
        }
        try {
            return Files.exists(a) && Files.exists(b) && Files.isSameFile(a, b);
        } catch (IOException e) {
            return false;
        }
    }

    /** {@code --max-stdin} in bytes: the most of a piped stdin that resh copies to disk for the replicas. */
    private long stdinLimit() {
        if (maxStdin == null) {
            return DEFAULT_MAX_STDIN;
        }
        long bytes = ByteSizes.parse("--max-stdin", maxStdin);
        if (bytes == 0) {
            throw ConfigException.expected("--max-stdin", "a positive size", maxStdin.trim()
                    + "; for an empty stdin give --no-stdin");
        }
        return bytes;
    }

    /**
     * Refuses an argument the JVM could not decode. It hands main() Strings decoded with the locale's character
     * set, each byte that set does not hold turned into U+FFFD (any non-ASCII byte under LANG=C, as in many
     * containers; bytes that are not UTF-8 under a UTF-8 locale). The replicas would get other bytes than the
     * user gave ('?' for 'é') and could agree on the wrong answer without a word. Only the process's own command
     * line ({@code /proc/self/cmdline}) still has the bytes as given.
     */
    private void checkArgumentsArrivedWhole() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        List<byte[]> given = processArguments();
        if (given.size() < args.size()) {
            return;
        }
        given = given.subList(given.size() - args.size(), given.size());
        Charset charset = argumentCharset();
        for (int i = 0; i < args.size(); i++) {
            if (!new String(given.get(i), charset).equals(args.get(i))) {
                return; // not the arguments of this process: resh runs inside another program (a test)
            }
        }
        for (int i = 0; i < args.size(); i++) {
            byte[] bytes = given.get(i);
            if (Arrays.equals(bytes, args.get(i).getBytes(charset))) {
                continue;
            }
            String shown = "'" + escaped(bytes) + "'";
            String field = i >= args.size() - command.size() ? "COMMAND" : optionOf(args, i);
            throw new ConfigException(field, charset.equals(StandardCharsets.UTF_8)
                    ? shown + " is not UTF-8, and resh can pass only UTF-8 text on unchanged; give these bytes to "
                        + "the command another way (a file, stdin)"
                    : shown + " has bytes the locale's character set (" + charset.name() + ") does not hold, so "
                        + "the replicas would get others; run resh under a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
        }
    }

    /**
     * The replicas start in copies of the current directory, found by its name. A name with bytes the locale's
     * character set does not hold (the JVM decoded it with each such byte replaced) led nowhere, and resh said only
     * "startDir: '...' is not an existing directory", naming no option and no cause. (A deleted current directory
     * never gets here: the JVM does not start in one.)
     */
    private static void checkCurrentDirectoryReachable() {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd)) {
            return;
        }
        if (Files.isDirectory(Path.of("/proc/self/cwd"))) { // the kernel's own handle on it, whatever its name
            throw new ConfigException("current directory", "'" + cwd + "' has bytes in its name the locale's character"
                    + " set (" + argumentCharset().name() + ") does not hold, so resh cannot find it by name; run resh"
                    + " under a UTF-8 locale, e.g. LC_ALL=C.UTF-8");
        }
    }

    /** The arguments as the kernel holds them, or none where that cannot be read. */
    private static List<byte[]> processArguments() {
        byte[] cmdline;
        try {
            cmdline = Files.readAllBytes(Path.of("/proc/self/cmdline"));
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return List.of();
        }
        List<byte[]> args = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < cmdline.length; i++) {
            if (cmdline[i] == 0) {
                args.add(Arrays.copyOfRange(cmdline, start, i));
                start = i + 1;
            }
        }
        return args;
    }

    /** The character set the JVM decoded main()'s arguments with, as it encodes a child's. */
    private static Charset argumentCharset() {
        try {
            return Charset.forName(System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name()));
        } catch (IllegalArgumentException e) {
            return Charset.defaultCharset();
        }
    }

    /** The option that argument {@code i} is the value of: {@code --output=x}, or {@code --output x}. */
    private static String optionOf(List<String> args, int i) {
        String arg = args.get(i);
        if (arg.startsWith("-") && arg.contains("=")) {
            return arg.substring(0, arg.indexOf('='));
        }
        return i > 0 && args.get(i - 1).startsWith("-") ? args.get(i - 1) : "argument";
    }

    /** Printable ASCII as is, every other byte as \xNN: the bytes given, whatever the terminal shows. */
    private static String escaped(byte[] bytes) {
        StringBuilder text = new StringBuilder();
        for (byte b : bytes) {
            int c = b & 0xff;
            text.append(c >= 0x20 && c < 0x7f && c != '\\' ? String.valueOf((char) c) : String.format("\\x%02x", c));
        }
        return text.toString();
    }

    /** The directory of each attempt that holds its replicas' work directories. */
    private static List<String> keptRoots(ExecResult result) {
        Set<String> roots = new LinkedHashSet<>();
        for (ExecResult.Attempt attempt : result.attempts()) {
            for (ExecResult.Replica replica : attempt.replicas()) {
                roots.add(String.valueOf(replica.workDir().getParent()));
            }
        }
        return List.copyOf(roots);
    }

    /**
     * resh's stdin as a file every replica can open itself, when it is a regular file not read yet ({@code resh exec
     * -- sha256sum < big.iso}); else null, and it is copied. Copying it cost a second copy in the temporary
     * directory, and a file past --max-stdin was refused. A file the shell has read into ({@code read} before resh
     * ran) is copied from where it stands, as a replica reading descriptor 0 would start there.
     */
    private static Path regularStdin() {
        Path own = Path.of("/proc/self/fd/0"); // opened anew by each replica: at the file's start, whatever its name
        try {
            if (!Files.isRegularFile(own)) {
                return null;
            }
            // Not closed: that would close descriptor 0.
            long position = new java.io.FileInputStream(FileDescriptor.in).getChannel().position();
            return position == 0 ? own : null;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /** Readable, but not a regular file or a directory: a pipe, a FIFO, a character device. */
    private static boolean readableStream(Path file) {
        return Files.exists(file) && !Files.isRegularFile(file) && !Files.isDirectory(file) && Files.isReadable(file);
    }

    /**
     * Reads the input {@code source} opens (resh's own stdin, or a --stdin pipe) once into a file in {@code dir}
     * every replica then reads, and closes it. Input that passed {@code limit}, or that {@code dir} could not take,
     * leaves no file behind.
     *
     * @param source opens the input; for a FIFO that no writer has opened yet, that is where resh waits
     * @param name the input as an error names it: {@code stdin}, {@code --stdin FILE}
     * @throws ExecSetupException if the input passed {@code limit}, could not be read, or could not be stored in
     *     {@code dir}
     */
    private Path copyStdin(Supplier<InputStream> source, String name, long limit, Path dir) {
        AtomicLong copied = new AtomicLong();
        AtomicBoolean ended = new AtomicBoolean();
        AtomicBoolean opened = new AtomicBoolean();
        // Input that never ends (tail -f, yes) kept resh reading, and filling the temporary directory, without a word;
        // so did a --stdin FIFO that nothing opened for writing, on which the open itself waits.
        CompletableFuture.runAsync(() -> {
            if (!ended.get() && !opened.get()) {
                say("resh exec: still waiting for something to write to " + name + ": the replicas start once it was"
                        + " written and closed");
            } else if (!ended.get()) {
                say("resh exec: still reading " + name + " (" + ByteSizes.format(copied.get()) + " so far, at most "
                        + ByteSizes.format(limit) + ", --max-stdin): the replicas start"
                        + " once it ends; for input that never ends (tail -f, yes) give --stdin FILE or --no-stdin");
            }
        }, CompletableFuture.delayedExecutor(stdinNotice.toMillis(), TimeUnit.MILLISECONDS));
        Path file = null;
        boolean stored = false;
        boolean reading = false;
        try (InputStream stdin = source.get()) {
            opened.set(true);
            file = Files.createTempFile(dir, "resh-stdin-", ".bin");
            // Removed after the run; also on Ctrl-C, when the run never gets to remove it.
            file.toFile().deleteOnExit();
            try (OutputStream copy = Files.newOutputStream(file)) {
                byte[] buffer = new byte[1 << 16];
                while (true) {
                    // One byte past the limit tells input that ends right at it from input that goes on.
                    int want = (int) Math.min(buffer.length, limit - copied.get() + 1);
                    reading = true;
                    int n = stdin.read(buffer, 0, want);
                    reading = false;
                    if (n < 0) {
                        break;
                    }
                    if (copied.get() + n > limit) {
                        throw new ExecSetupException(ExitCodes.SETUP_FAILED, name + " passed --max-stdin "
                                + ByteSizes.format(limit) + " before it ended; nothing was started (raise --max-stdin,"
                                + " or give a regular file with --stdin FILE)");
                    }
                    copy.write(buffer, 0, n);
                    copied.addAndGet(n);
                }
            }
            stored = true;
            return file;
        } catch (IOException e) {
            if (stored) {
                return file; // only the close failed: the copy is whole
            }
            if (reading) {
                // Not a usage error: the options were fine, but the replicas cannot be given their input.
                throw new ExecSetupException(ExitCodes.SETUP_FAILED, cannotRead(name, copied.get(), e), e);
            }
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, cannotStore(dir, copied.get(), e), e);
        } finally {
            ended.set(true);
            if (!stored && file != null) {
                try {
                    Files.deleteIfExists(file);
                } catch (IOException e) {
                    // Still removed when resh exits (deleteOnExit above).
                }
            }
        }
    }

    /**
     * The line for input that failed to read after {@code read} bytes. A --stdin pipe's error was reported as an
     * invalid option (exit 2), and neither line said how far the input had got.
     */
    private static String cannotRead(String source, long read, IOException e) {
        return "cannot read " + source + " after " + ByteSizes.format(read) + ": "
                + FileErrors.lowerCase(FileErrors.describe(e)) + "; nothing was started";
    }

    /**
     * The line for a copy of stdin that {@code dir} could not take after {@code stored} bytes. A full disk came
     * as the C library's bare "No space left on device", which named neither the directory nor a way out.
     */
    static String cannotStore(Path dir, long stored, IOException e) {
        // The directory is named already; of a file in it (the copy), only what went wrong.
        String what = FileErrors.lowerCase(e instanceof FileSystemException f && f.getFile() != null
                && f.getReason() != null ? f.getReason() : FileErrors.describe(e));
        boolean full = what.equals("no space left on device");
        return "cannot store stdin for the replicas in " + dir + (stored > 0 ? " after " + ByteSizes.format(stored) : "")
                + ": " + what + "; nothing was started" + (full ? " (free space there, give --work-root DIR on another"
                        + " file system, or give a regular file with --stdin FILE)" : "");
    }

    private void say(String line) {
        try {
            err.write((line + System.lineSeparator()).getBytes(StandardCharsets.UTF_8));
            err.flush();
        } catch (IOException e) {
            // stderr is gone; there is no one left to tell.
        }
    }

    /**
     * True when stdin is no input to read. A terminal: nobody is piping input, and reading it would wait for the
     * user. Or closed when resh started ({@code <&-}): the JVM then got descriptor 0 for a file it opened for itself
     * (its module image, a jar), whose 100 MB would otherwise reach every replica as its input.
     */
    private static boolean noStdinToRead() {
        try {
            Path target = Files.readSymbolicLink(Path.of("/proc/self/fd/0"));
            String name = target.toString();
            return name.startsWith("/dev/pts/") || name.startsWith("/dev/tty") || name.equals("/dev/console")
                    || openedByTheJvm(target);
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** A file of the Java runtime or of resh's class path: what the JVM opens while it starts. */
    private static boolean openedByTheJvm(Path file) {
        List<String> own = new ArrayList<>();
        own.add(System.getProperty("java.home", ""));
        own.addAll(List.of(System.getProperty("java.class.path", "").split(File.pathSeparator)));
        for (String entry : own) {
            if (entry.isEmpty()) {
                continue;
            }
            try {
                if (file.startsWith(Path.of(entry).toRealPath())) {
                    return true;
                }
            } catch (IOException | InvalidPathException e) {
                // Not there any more: then it is not what descriptor 0 holds.
            }
        }
        return false;
    }
}

package io.resh.cli;

import io.resh.campaign.Campaign;
import io.resh.campaign.CampaignConfig;
import io.resh.campaign.CampaignReport;
import io.resh.campaign.CampaignResult;
import io.resh.campaign.InjectionPlan;
import io.resh.campaign.InjectionRecord;
import io.resh.campaign.Outcome;
import io.resh.campaign.ProgressBar;
import io.resh.campaign.ServiceKind;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import io.resh.core.InjectedFault;
import io.resh.core.ReshException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code resh campaign}: injects many real faults into a replica group, one at a time, classifies every
 * outcome against a fault-free run and writes {@code campaign.json} and {@code report.html}.
 *
 * <p>Exit status: 0 when done (N = 1 and N = 2 always, their SDCs are the point of running them); 1 when
 * a group of N ≥ 3 let any fault through (silent data corruption, unavailable, latent, unrecovered,
 * fail-stop), so CI can gate on it; 2 for invalid options.
 */
@Command(name = "campaign",
        description = {"Inject faults into a replica group one at a time and report the error coverage.",
                "Example: resh campaign --service aes --replicas 3 --injections 1000 --seed 42 --report out/"})
public final class CampaignCommand implements Callable<Integer> {

    /** The directory in --report that holds the replica logs. */
    static final String REPLICAS = "replicas";

    /** The file in --report that a running campaign holds locked, so that a second one does not write there too. */
    static final String REPORT_LOCK = ".campaign.lock";

    /** This process's standard error, where the progress bar goes. */
    private static final Path STDERR = Path.of("/proc/self/fd/2");

    @Spec
    CommandSpec spec;

    @Option(names = "--service", defaultValue = "aes", paramLabel = "aes|kv", description = "the service under test, an example shipped with resh (default: ${DEFAULT-VALUE})")
    String service;

    @Option(names = "--replicas", defaultValue = "3", paramLabel = "N", description = "1 to 9: 3 masks faults, 2 detects them, 1 is the unprotected control (default: ${DEFAULT-VALUE})")
    int replicas;

    @Option(names = "--injections", defaultValue = "1000", paramLabel = "N", description = "faults to inject, one at a time, at most 1000000 (default: ${DEFAULT-VALUE})")
    int injections;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "SEED", description = "the same seed gives the same faults and requests (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--report", defaultValue = "campaign-report", paramLabel = "DIR", description = "directory for campaign.json, report.html and replica logs (default: ${DEFAULT-VALUE})")
    Path report;

    @Option(names = "--kinds", split = ",", paramLabel = "KIND", description = "fault kinds to inject, comma-separated, or all (default: all): "
            + "crash, hang, slow, reply-corruption, state-corruption, byzantine, ipc-garbage")
    List<String> kinds;

    @Option(names = "--requests-per-injection", defaultValue = "20", paramLabel = "N", description = "requests in each injection's window, at most 10000 (default: ${DEFAULT-VALUE})")
    int requestsPerInjection;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "DURATION", description = "longest the client waits for a voted reply before it counts as unavailable; more than twice --deadline (default: ${DEFAULT-VALUE})")
    String timeout;

    @Option(names = "--deadline", defaultValue = "600ms", paramLabel = "DURATION", description = "the group's hang deadline, at least 50ms (default: ${DEFAULT-VALUE})")
    String deadline;

    @Option(names = "--settle-timeout", defaultValue = "20s", paramLabel = "DURATION", description = "longest a window waits for detection, recovery and the state check; at least twice --deadline (at least 1s) plus 5s (default: ${DEFAULT-VALUE})")
    String settleTimeout;

    @Option(names = "--jvm-flags", paramLabel = "FLAGS", description = "replica JVM flags, space-separated (default: small heap, serial GC, C1 only)")
    String jvmFlags;

    @Option(names = "--diverse", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "run a different AES implementation in each replica; aes only, refused with --service kv,"
                    + " which has one, and with --replicas 1 (default: ${DEFAULT-VALUE})")
    boolean diverse;

    @Option(names = "--overhead", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "measure fault-free latency and throughput against one replica first (default: ${DEFAULT-VALUE})")
    boolean overhead;

    @Option(names = "--overhead-requests", defaultValue = "2000", paramLabel = "N", description = "requests per overhead measurement, 10 to 100000; refused with --no-overhead (default: ${DEFAULT-VALUE})")
    int overheadRequests;

    @Option(names = "--verbose", description = "show the host's log of every fault and recovery")
    boolean verbose;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and exit")
    boolean help;

    public CampaignCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        PrintWriter out = spec.commandLine().getOut();
        CampaignConfig config;
        try {
            config = config();
        } catch (ConfigException e) {
            // The builder's fields are this command's options without their dashes: name them as the user typed them.
            String option = "--" + e.field();
            CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
            if (spec.findOption(option) != null && parsed != null && !parsed.hasMatchedOption(option)) {
                // "--timeout: ... got 5000 ms" after only --deadline 3s: the value was the default, never typed
                throw new ConfigException(option, e.getMessage().substring(e.field().length() + 2) + " (its default; give "
                        + option + " a value that fits)");
            }
            throw e.named(option);
        }
        if (!verbose) {
            quiet("io.resh.host");
            quiet("io.resh.campaign");
        }
        String unusable = unusableReport(report);
        if (unusable != null) {
            err.println("resh campaign: --report " + report + ": " + unusable);
            return 1;
        }
        FileChannel claim;
        try {
            claim = claimReport(report);
        } catch (IOException e) {
            err.println("resh campaign: --report " + report + ": cannot lock " + REPORT_LOCK + " ("
                    + Resh.oneLine(new UncheckedIOException(e)) + ")");
            return 1;
        }
        if (claim == null) {
            // A second campaign into the same directory moved the running one's replica logs aside, and whichever
            // ended last overwrote the other's campaign.json and report.html.
            String holder = reportHolder(report);
            err.println("resh campaign: --report " + report + ": another campaign" + (holder.isEmpty() ? "" : " (pid "
                    + holder + ")") + " is writing its report there; wait for it to end, or give another --report DIR");
            return 1;
        }
        try {
            return run(config, err, out);
        } finally {
            releaseReport(claim);
        }
    }

    private int run(CampaignConfig config, PrintWriter err, PrintWriter out) {
        try {
            List<String> setAside = setAsideEarlierReport(report);
            if (!setAside.isEmpty()) {
                err.println("resh campaign: the earlier report in " + report + " is now " + and(setAside));
            }
        } catch (UncheckedIOException e) {
            err.println("resh campaign: --report " + report + ": " + e.getMessage());
            return 1;
        }
        String command = commandLine();
        ProgressBar bar = new ProgressBar(err, isTerminal(STDERR), config.injections(),
                config.service().label() + " N=" + config.replicas());
        CampaignResult result;
        Progress progress = new Progress(bar);
        // Ctrl-C stops the group from the host's own exit hook, under the running window: say that, not the
        // "group ... is closed" the window then fails with.
        Thread interrupted = new Thread(() -> {
            bar.finish();
            err.println("resh campaign: interrupted after " + progress.done + " of " + config.injections()
                    + " injections; no report written");
            err.flush();
        }, "resh-campaign-interrupted");
        Runtime.getRuntime().addShutdownHook(interrupted);
        ReshException failed = null;
        result = null;
        boolean exiting;
        try {
            err.println("resh campaign: starting " + config.replicas() + " " + config.service().label() + " replica(s)"
                    + (config.measureOverhead() ? " and measuring the fault-free overhead" : "") + " ...");
            result = new Campaign(config).run(progress);
        } catch (ReshException e) {
            failed = e;
        } finally {
            // On every way out, or the hook would claim an interruption when the JVM exits after an error.
            exiting = !removeHook(interrupted);
        }
        if (exiting) {
            return 130; // the exit hook says why
        }
        bar.finish();
        if (failed != null) {
            err.println("resh campaign: " + failed.getMessage());
            return 1;
        }
        out.print(CampaignReport.table(result));
        try {
            CampaignReport.writeAll(result, report, command);
        } catch (UncheckedIOException e) {
            err.println("resh campaign: " + e.getMessage());
            return 1;
        }
        out.println("report: " + report.resolve(CampaignReport.HTML) + ", records: " + report.resolve(CampaignReport.JSON));
        return result.violations().isEmpty() ? 0 : 1;
    }

    CampaignConfig config() {
        Path named = report.getFileName();
        String name = named == null ? "" : named.toString();
        if ((name.endsWith(".json") || name.endsWith(".html")) && !Files.isDirectory(report)) {
            // resh exec --report takes a file: --report out.json here made a directory of that name.
            throw new ConfigException("report", "'" + report + "' names a file, but a campaign's report is a"
                    + " directory (campaign.json, report.html and the replica logs go in it); give --report DIR");
        }
        ServiceKind kind;
        try {
            kind = ServiceKind.parse(service);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("service", e.getMessage());
        }
        checkDiverseFits(kind);
        checkOverheadRequestsApply();
        CampaignConfig.Builder b = CampaignConfig.builder(kind).replicas(replicas)
                .injections(injections).seed(seed).requestsPerInjection(requestsPerInjection)
                .requestTimeout(Durations.parse("timeout", timeout)).deadline(Durations.parse("deadline", deadline))
                .settleTimeout(Durations.parse("settle-timeout", settleTimeout)).diverse(diverse)
                .measureOverhead(overhead).overheadRequests(overheadRequests).workDir(report.resolve(REPLICAS));
        // "all" is what the docs and --help call the default, so a user may well write it.
        if (kinds != null && !kinds.isEmpty() && !kinds.equals(List.of("all"))) {
            List<InjectedFault> parsed = new ArrayList<>();
            for (String k : kinds) {
                if (k.isBlank()) {
                    // "--kinds crash,,hang" was answered "... got ''", which left the user to find the stray comma.
                    throw ConfigException.expected("kinds", "fault kinds separated by single commas",
                            "an empty one in '" + String.join(",", kinds) + "'");
                }
                try {
                    parsed.add(InjectedFault.parse(k));
                } catch (IllegalArgumentException e) {
                    throw ConfigException.expected("kinds", (k.equals("all") ? "all alone, or " : "")
                            + "fault kinds among " + Arrays.stream(InjectedFault.values())
                            .map(InjectedFault::label).collect(Collectors.joining(", ")), "'" + k + "'");
                }
            }
            b.kinds(parsed);
        }
        if (jvmFlags != null) {
            b.jvmArgs(Arrays.stream(jvmFlags.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList());
        }
        return b.build();
    }

    /**
     * Refuses {@code --diverse} or {@code --no-diverse} typed for a service with one implementation: either was
     * ignored without a word, so {@code --service kv --diverse} ran three copies of one store while its user believed
     * the replicas diverse. Left out, the default stays fine for every service.
     */
    private void checkDiverseFits(ServiceKind kind) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (parsed == null || !parsed.hasMatchedOption("--diverse")) {
            return;
        }
        if (kind.hasDiverseImplementations()) {
            if (diverse && replicas == 1) {
                // One replica runs one implementation: "--replicas 1 --diverse" ran the JDK's AES alone, unlike
                // what was asked, and the report said nothing of it.
                throw new ConfigException("diverse", "one replica runs one implementation; diverse replicas need"
                        + " --replicas 2 or more: leave --diverse out, or give --replicas 3");
            }
            return;
        }
        List<String> diverseOnes = Arrays.stream(ServiceKind.values()).filter(ServiceKind::hasDiverseImplementations)
                .map(ServiceKind::label).toList();
        String which = "only " + and(diverseOnes) + (diverseOnes.size() == 1 ? " has" : " have");
        throw diverse
                ? new ConfigException("diverse", kind.label() + " has one implementation, which every replica runs;"
                        + " " + which + " diverse ones: leave --diverse out, or give --service " + diverseOnes.get(0))
                : new ConfigException("no-diverse", kind.label() + " has one implementation, which every replica runs"
                        + " anyway; " + which + " diverse ones to turn off: leave --no-diverse out");
    }

    /**
     * Refuses {@code --overhead-requests} typed with {@code --no-overhead}: the count was ignored without a word, so a
     * user who meant to measure the overhead with it got a report without one.
     */
    private void checkOverheadRequestsApply() {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        if (!overhead && parsed != null && parsed.hasMatchedOption("--overhead-requests")) {
            throw new ConfigException("overhead-requests", "counts the requests of the overhead measurement, which"
                    + " --no-overhead turns off: leave one of them out");
        }
    }

    /**
     * Renames an earlier campaign's {@code campaign.json}, {@code report.html} and {@code replicas} directory in
     * {@code report} to {@code campaign.previous.json}, {@code report.previous.html} and {@code replicas.previous}
     * (replacing older ones of those names), and returns the new names. Left in place, the files read as this
     * campaign's report when it is interrupted or fails, and the replica logs, which every incarnation appends
     * to, ran on from the earlier campaign's lines into this one's; deleted, a campaign that then fails would
     * have cost the last good report.
     */
    static List<String> setAsideEarlierReport(Path report) {
        List<String> moved = new java.util.ArrayList<>();
        for (String name : List.of(CampaignReport.JSON, CampaignReport.HTML)) {
            Path earlier = report.resolve(name);
            if (Files.isRegularFile(earlier)) {
                int dot = name.lastIndexOf('.');
                String previous = name.substring(0, dot) + ".previous" + name.substring(dot);
                try {
                    Files.move(earlier, report.resolve(previous), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot set the earlier " + name + " aside as " + previous + " ("
                            + e.getMessage() + ")", e);
                }
                moved.add(previous);
            }
        }
        Path logs = report.resolve(REPLICAS);
        if (Files.isDirectory(logs)) {
            Path previous = report.resolve(REPLICAS + ".previous");
            try {
                // A directory is only replaced by a move when empty: the older logs go first.
                io.resh.gateway.server.Directories.delete(previous);
                Files.move(logs, previous);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot set the earlier " + REPLICAS + " directory aside as "
                        + previous.getFileName() + " (" + Resh.oneLine(new UncheckedIOException(e)) + ")", e);
            }
            moved.add(previous.getFileName().toString());
        }
        return moved;
    }

    /**
     * Locks {@link #REPORT_LOCK} in {@code report} for this campaign and writes this process's pid into it, or returns
     * null when another campaign holds it. The file stays: removed by its holder, it could be unlinked under a
     * campaign that has just opened it, and two campaigns would each lock a file of that name. Only the channel
     * returned touches it here: closing any other descriptor of the file would drop this process's lock on it.
     */
    static FileChannel claimReport(Path report) throws IOException {
        FileChannel channel = FileChannel.open(report.resolve(REPORT_LOCK), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE);
        try {
            if (channel.tryLock() != null) {
                byte[] pid = Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII);
                channel.truncate(0).write(java.nio.ByteBuffer.wrap(pid));
                return channel;
            }
        } catch (OverlappingFileLockException heldByThisProcess) {
            // another campaign run in this same JVM
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        channel.close();
        return null;
    }

    /** The pid of the campaign holding {@link #REPORT_LOCK}, or "" when the file names none. */
    static String reportHolder(Path report) {
        try {
            return Files.readString(report.resolve(REPORT_LOCK), StandardCharsets.US_ASCII).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** Empties {@link #REPORT_LOCK}, so that it names no campaign once this one is gone, and lets go of its lock. */
    static void releaseReport(FileChannel claim) {
        try {
            claim.truncate(0);
        } catch (IOException e) {
            // a pid left behind is only read while another campaign holds the lock, which rewrites it first
        }
        try {
            claim.close();
        } catch (IOException e) {
            // the lock goes with the process at the latest
        }
    }

    /**
     * Whether the descriptor behind {@code fd} (a {@code /proc/self/fd} link) is a terminal. The progress bar goes to
     * stderr, but System.console() speaks of stdin and stdout: with {@code 2> log} its redrawn line went into the log
     * as one line of carriage returns, and with {@code > table.txt} a terminal got a line per tenth instead.
     */
    static boolean isTerminal(Path fd) {
        try {
            String name = Files.readSymbolicLink(fd).toString();
            return name.startsWith("/dev/pts/") || name.startsWith("/dev/tty") || name.equals("/dev/console");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return System.console() != null;
        }
    }

    /** "a", "a and b", "a, b and c". */
    private static String and(List<String> names) {
        int last = names.size() - 1;
        return last == 0 ? names.get(0) : String.join(", ", names.subList(0, last)) + " and " + names.get(last);
    }

    /**
     * Why nothing can be written where the report goes, or null. Checked before the group starts: a --report
     * that could not hold the replica logs failed at the first window, and one that could not take
     * campaign.json or report.html failed only after the last injection, losing the whole campaign.
     */
    static String unusableReport(Path report) {
        try {
            Files.createDirectories(report);
        } catch (IOException e) {
            return Files.exists(report) && !Files.isDirectory(report) ? "exists and is not a directory"
                    : "cannot create the directory (" + Resh.oneLine(new UncheckedIOException(e)) + ")";
        }
        Path replicas = report.resolve(REPLICAS);
        if (Files.exists(replicas) && !Files.isDirectory(replicas)) {
            return replicas.getFileName() + " exists and is not a directory (the replica logs go there)";
        }
        for (String name : List.of(CampaignReport.JSON, CampaignReport.HTML)) {
            if (Files.isDirectory(report.resolve(name))) {
                return name + " is a directory, so the report could not be written there";
            }
        }
        try {
            // Permissions alone don't say it (root, read-only mounts, ACLs): write a file and remove it.
            Files.delete(Files.createTempFile(report, ".resh-campaign-", ".probe"));
        } catch (IOException e) {
            return "cannot write into the directory (" + Resh.oneLine(new UncheckedIOException(e)) + ")";
        }
        return null;
    }

    /**
     * The command line as typed, for the report: picocli's original arguments are the whole line, subcommand
     * name included, so prefixing "resh campaign" printed "resh campaign campaign". Arguments a shell would
     * split or expand are quoted, so the line can be pasted to rerun the campaign.
     */
    String commandLine() {
        List<String> args = spec.commandLine().getParseResult().originalArgs();
        StringBuilder line = new StringBuilder(spec.root() == spec ? "resh " + spec.name() : "resh");
        for (String a : args) {
            line.append(' ').append(a.isEmpty() || !a.matches("[A-Za-z0-9_@%+=:,./-]+")
                    ? "'" + a.replace("'", "'\\''") + "'" : a);
        }
        return line.toString();
    }

    /** False when the JVM is already exiting (Ctrl-C, SIGTERM): then the hook runs, or ran. */
    private static boolean removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
            return true;
        } catch (IllegalStateException exiting) {
            return false;
        }
    }

    /** The host logs every detected fault; during a campaign that is thousands of expected lines. */
    private static void quiet(String logger) {
        if (LoggerFactory.getLogger(logger) instanceof ch.qos.logback.classic.Logger l) {
            l.setLevel(ch.qos.logback.classic.Level.ERROR);
        }
    }

    /** Feeds the progress bar with the running count of the outcomes that count against us. */
    /** Feeds the progress bar, with the count of every outcome that fails a campaign so far. */
    static final class Progress implements Campaign.Listener {
        private final ProgressBar bar;
        private final java.util.EnumMap<Outcome, Long> counts = new java.util.EnumMap<>(Outcome.class);
        private volatile int done;

        Progress(ProgressBar bar) {
            this.bar = bar;
        }

        @Override
        public void started(InjectionPlan plan) {
            bar.update(0, "");
        }

        @Override
        public void injected(InjectionRecord r, int done, int total) {
            this.done = done;
            counts.merge(r.outcome(), 1L, Long::sum);
            bar.update(done, status());
        }

        /**
         * "sdc 0  unavailable 0  latent 0", then "unrecovered N" and "fail-stop N" once there are any: with three
         * replicas or more they fail the campaign too, and showed only at its end.
         */
        String status() {
            StringBuilder line = new StringBuilder();
            for (Outcome o : List.of(Outcome.SILENT_DATA_CORRUPTION, Outcome.UNAVAILABLE, Outcome.LATENT,
                    Outcome.DETECTED_UNRECOVERED, Outcome.DETECTED_FAIL_STOP)) {
                long n = counts.getOrDefault(o, 0L);
                if (n > 0 || o == Outcome.SILENT_DATA_CORRUPTION || o == Outcome.UNAVAILABLE || o == Outcome.LATENT) {
                    line.append(line.isEmpty() ? "" : "  ").append(o.label()).append(' ').append(n);
                }
            }
            return line.toString();
        }
    }
}

package io.resh.cli;

import io.resh.cli.bench.BenchOptions;
import io.resh.cli.bench.Check;
import io.resh.cli.bench.JsonReport;
import io.resh.cli.bench.ReportTable;
import io.resh.cli.bench.Scenario;
import io.resh.cli.bench.ScenarioReport;
import io.resh.cli.bench.ScenarioUnavailableException;
import io.resh.cli.bench.Scenarios;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code resh bench SCENARIO}: a bounded benchmark that measures a baseline and a candidate alternately
 * in the same run and prints their ratio, throughput and latency percentiles.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Run a bounded benchmark of a replicated group against its baseline.",
                "The baseline (the service in-process, and unreplicated behind the same API",
                "or front door) and the candidate (DMR/TMR) are measured alternately in the",
                "same run; prints throughput, CPU per request, latency percentiles",
                "(HdrHistogram, coordinated-omission corrected), their ratios and the",
                "performance targets met or missed.",
                "Scenarios: kv-small, aes-64k, recovery, gateway-redis, cluster; 'list'",
                "describes them."},
        exitCodeListHeading = "Exit status:%n",
        exitCodeList = {"0:the benchmark ran (targets met or not, unless --strict)", "1:--strict and a target was missed",
                "2:bad option or unknown scenario", "3:the scenario can't run here (the message says what is missing)"})
public final class BenchCommand implements Callable<Integer> {
    /**
     * Exit status for a bad option or an unknown scenario: the command line's, which answers the ConfigException
     * that names the option or SCENARIO.
     */
    static final int EXIT_USAGE = 2;
    /** Exit status when the scenario can't run here (a module not built in yet, a tool not installed). */
    static final int EXIT_UNAVAILABLE = 3;

    @Parameters(index = "0", paramLabel = "SCENARIO", description = "Scenario to run, or 'list'.")
    String scenario;

    @Option(names = "--duration", defaultValue = "36s",
            description = "Measured time, split over the scenario's comparisons and rounds; start-up and state"
                    + " loading come on top (default: ${DEFAULT-VALUE}).")
    String duration;

    @Option(names = "--rounds", defaultValue = "3", description = "Alternations of baseline and candidate (default: ${DEFAULT-VALUE}).")
    int rounds;

    @Option(names = "--window", description = "Requests outstanding in throughput runs: kv-small, aes-64k, cluster (default: per scenario).")
    Integer window;

    @Option(names = "--connections", defaultValue = "2", description = "Client connections to a front door: kv-small (default: ${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--state-mb", split = ",", defaultValue = "100",
            description = "recovery: state sizes in MB, comma-separated (default: ${DEFAULT-VALUE}).")
    List<Integer> stateMegabytes;

    @Option(names = "--rate", description = "Requests/s of fixed-rate load: kv-small, recovery (default: per scenario).")
    Double rate;

    @Option(names = "--pin", description = "Pin each replica to its own core: kv-small, aes-64k, recovery.")
    boolean pin;

    @Option(names = "--checkpoint-every", description = "Requests between checkpoints: kv-small, aes-64k, recovery (default: per scenario).")
    Integer checkpointEvery;

    @Option(names = "--seed", defaultValue = "2011", description = "Seed of the generated requests: all but gateway-redis (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE.")
    Path json;

    @Option(names = "--strict", description = "Exit with status 1 when a performance target is missed.")
    boolean strict;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public BenchCommand() {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if ("list".equals(scenario)) {
            for (Scenario s : Scenarios.all()) {
                out.printf("  %-14s %s%n", s.name(), s.summary());
            }
            return 0;
        }
        PrintWriter err = spec.commandLine().getErr();
        ScenarioReport report;
        try {
            Scenario s = Scenarios.named(scenario);
            if (json != null) {
                JsonReport.checkWritable(json);
            }
            BenchOptions options = new BenchOptions(Durations.parse("--duration", duration), rounds, window, connections,
                    stateMegabytes, rate, pin, checkpointEvery, seed, commandLine(), err);
            refuseOptionsItIgnores(s);
            report = s.run(options);
        } catch (ScenarioUnavailableException e) {
            err.println("resh bench: " + e.getMessage());
            return EXIT_UNAVAILABLE;
        }
        ReportTable.print(report, out);
        if (json != null) {
            JsonReport.write(List.of(report), json);
            out.println("JSON report written to " + json);
        }
        boolean allMet = report.checks().stream().allMatch(Check::met);
        return strict && !allMet ? 1 : 0;
    }

    /** An option the scenario does not read was silently ignored: the run measured the default and said nothing. */
    private void refuseOptionsItIgnores(Scenario s) {
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        for (String option : new TreeSet<>(Scenario.SPECIFIC)) {
            if (parsed != null && parsed.hasMatchedOption(option) && !s.options().contains(option)) {
                List<String> readers = Scenarios.all().stream().filter(r -> r.options().contains(option)).map(Scenario::name).toList();
                throw new ConfigException(option, s.name() + " does not use it (" + (readers.isEmpty() ? "no scenario does"
                        : String.join(", ", readers) + (readers.size() == 1 ? " does" : " do")) + "); leave it out");
            }
        }
    }

    private String commandLine() {
        List<String> parts = new ArrayList<>(List.of("resh", "bench", scenario, "--duration", duration,
                "--rounds", Integer.toString(rounds)));
        if (window != null) {
            parts.addAll(List.of("--window", window.toString()));
        }
        parts.addAll(List.of("--connections", Integer.toString(connections)));
        if ("recovery".equals(scenario)) {
            parts.addAll(List.of("--state-mb", String.join(",", stateMegabytes.stream().map(String::valueOf).toList())));
        }
        if (rate != null) {
            parts.addAll(List.of("--rate", rate.toString()));
        }
        if (pin) {
            parts.add("--pin");
        }
        if (checkpointEvery != null) {
            parts.addAll(List.of("--checkpoint-every", checkpointEvery.toString()));
        }
        parts.addAll(List.of("--seed", Long.toString(seed)));
        return String.join(" ", parts);
    }
}

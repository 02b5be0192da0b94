package io.resh.cli.bench;

import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/** Collects a scenario's sections, checks and notes, and stamps the report with the machine and time. */
final class ReportBuilder {
    private final String scenario;
    private final BenchOptions options;
    private final long startNanos = System.nanoTime();
    private final String started = LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
    private final Machine machine = Machine.current();
    private final StolenTime stolen = StolenTime.sinceNow();
    private final List<Section> sections = new ArrayList<>();
    private final List<Check> checks = new ArrayList<>();
    private final List<String> notes = new ArrayList<>();

    ReportBuilder(String scenario, BenchOptions options) {
        this.scenario = scenario;
        this.options = options;
    }

    void section(Section s) {
        sections.add(s);
    }

    void check(Check c) {
        checks.add(c);
    }

    void note(String n) {
        notes.add(n);
    }

    /** Notes every fault the groups detected during the run (none expected: each one moved the numbers). */
    void noteFaults(List<GroupTarget> groups) {
        for (GroupTarget g : groups) {
            for (String f : g.faults()) {
                notes.add("fault detected during the run (its replica was replaced): " + f);
            }
        }
    }

    ScenarioReport build(String workload) {
        double steal = stolen.percent();
        if (steal >= 0) {
            notes.add("CPU time stolen by the hypervisor during the run: " + steal + " %" + (steal >= 5
                    ? " (other virtual machines took the cores: these figures are slower and noisier than a quiet run's)" : ""));
        }
        return new ScenarioReport(scenario, workload, machine, started, options.command(),
                Math.round((System.nanoTime() - startNanos) / 1e8) / 10.0, steal, sections, checks, notes);
    }
}

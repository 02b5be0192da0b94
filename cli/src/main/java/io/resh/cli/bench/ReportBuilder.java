package io.resh.cli.bench;

import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

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

    /**
     * A group defers a checkpoint falling due while the one before is still being made, so a run at a high rate
     * snapshots less often than once per {@code checkpoint.every} requests; the report says how much less.
     */
    void noteDeferredCheckpoints(List<GroupTarget> groups) {
        for (GroupTarget g : groups) {
            Map<String, Long> counters;
            try {
                counters = g.group().status().counters();
            } catch (RuntimeException e) {
                continue; // a group that failed stop has its faults noted; it has no checkpoints to tell of
            }
            deferredCheckpoints(g.label(), counters).ifPresent(notes::add);
        }
    }

    static Optional<String> deferredCheckpoints(String label, Map<String, Long> counters) {
        long deferred = counters.getOrDefault("checkpoints-deferred", 0L);
        if (deferred == 0) {
            return Optional.empty();
        }
        return Optional.of(String.format(Locale.ROOT, "%s: %,d checkpoints made, %,d deferred because the one before"
                + " was still being made (each costs a snapshot in every replica)", label,
                counters.getOrDefault("checkpoints", 0L), deferred));
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

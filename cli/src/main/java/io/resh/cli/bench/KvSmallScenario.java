package io.resh.cli.bench;

import io.resh.examples.kv.KvStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Small key-value requests with many outstanding: what resh's own per-request cost (ordering, IPC,
 * voting) leaves of the service's throughput and latency, since the service itself does almost nothing.
 *
 * <p>Baselines, in the same run: the store called in-process, and an unreplicated group (N=1) behind
 * the same API or front door as the TMR group (N=3).
 */
final class KvSmallScenario implements Scenario {
    static final int DEFAULT_WINDOW = 1024;
    static final int DEFAULT_CHECKPOINT_EVERY = 10_000;

    @Override
    public String name() {
        return "kv-small";
    }

    @Override
    public String summary() {
        return "64-byte KV requests, many outstanding: in-process vs N=1 vs TMR, submit API and TCP front door";
    }

    @Override
    public ScenarioReport run(BenchOptions o) {
        long t0 = System.nanoTime();
        String started = LocalDateTime.now().truncatedTo(ChronoUnit.SECONDS).toString();
        PrintWriter p = o.progress();
        RequestSource requests = KvWorkload.mixed(o.seed());
        int window = o.window() != null ? o.window() : DEFAULT_WINDOW;
        ClosedLoop many = new ClosedLoop(window);
        ClosedLoop lone = new ClosedLoop(1);
        int rounds = o.rounds();
        Duration warmup = Duration.ofMillis(Math.max(300, o.duration().toMillis() / 25));
        List<Section> sections = new ArrayList<>();
        List<Check> checks = new ArrayList<>();

        Tally inProcess;
        try (InProcessTarget direct = new InProcessTarget(new KvStore())) {
            inProcess = Alternation.measureAlone("in-process", direct, 1, warmup, o.slice(0.04, 1),
                    (t, d) -> many.run(t, requests, d, true), p);
        }

        p.println("starting an N=1 and an N=3 KvStore group ...");
        List<GroupTarget> groups = BenchGroups.startAll(List.of(
                BenchGroups.config("bench-kv-1", 1, KvStore.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build(),
                BenchGroups.config("bench-kv-3", 3, KvStore.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build()),
                GroupTarget::start);
        try {
            GroupTarget n1 = groups.get(0);
            GroupTarget n3 = groups.get(1);

            List<Tally> submit = Alternation.measure("submit", groups, rounds, warmup.multipliedBy(3),
                    o.slice(0.30, 2), (t, d) -> many.run(t, requests, d, true), p);
            double tmrPeak = submit.get(1).throughput();
            sections.add(section("in-process submit API, " + window + " outstanding",
                    "closed loop, window " + window + ", " + rounds + " alternating rounds of "
                            + o.slice(0.30, 2).toMillis() + " ms per target",
                    List.of(inProcess, submit.get(0), submit.get(1)),
                    ratios("N=3 / N=1 throughput", submit.get(1).throughput() / submit.get(0).throughput(),
                            "N=3 / in-process throughput", submit.get(1).throughput() / inProcess.throughput(),
                            "N=3 / N=1 cpu per request", cpuRatio(submit.get(1), submit.get(0)))));
            checks.add(Check.atLeast("kv-small submit: TMR voted requests/s", tmrPeak, 1_000_000, "req/s"));

            List<FrontDoorTarget> doors = new ArrayList<>();
            try {
                doors.add(FrontDoorTarget.over(n1.group(), o.connections()));
                doors.add(FrontDoorTarget.over(n3.group(), o.connections()));
                List<Tally> door = Alternation.measure("front door", doors, rounds, warmup, o.slice(0.28, 2),
                        (t, d) -> many.run(t, requests, d, true), p);
                double ratio = door.get(1).throughput() / door.get(0).throughput();
                sections.add(section("TCP front door, " + window + " outstanding over " + o.connections()
                                + " connections",
                        "closed loop, window " + window + ", " + rounds + " alternating rounds of "
                                + o.slice(0.28, 2).toMillis() + " ms per target",
                        door, ratios("N=3 / N=1 throughput", ratio,
                                "N=3 / N=1 cpu per request", cpuRatio(door.get(1), door.get(0)))));
                checks.add(Check.atLeast("kv-small front door: TMR / N=1 throughput", ratio, 0.6, "x"));

                List<Target> loneTargets = List.of(n1, n3, doors.get(0), doors.get(1));
                List<Tally> single = Alternation.measure("lone request", loneTargets, rounds, warmup,
                        o.slice(0.18, 4), (t, d) -> lone.run(t, requests, d, false), p);
                sections.add(section("a lone request (one outstanding)",
                        "closed loop, window 1, " + rounds + " alternating rounds of " + o.slice(0.18, 4).toMillis()
                                + " ms per target",
                        single, ratios("N=3 / N=1 submit p50", single.get(1).latency.getValueAtPercentile(50)
                                        / (double) single.get(0).latency.getValueAtPercentile(50),
                                "N=3 / N=1 front door p50", single.get(3).latency.getValueAtPercentile(50)
                                        / (double) single.get(2).latency.getValueAtPercentile(50))));
                checks.add(Check.atMost("kv-small lone request: TMR submit p50", micros(single.get(1), 50), 50, "us"));
                checks.add(Check.atMost("kv-small lone request: TMR submit p99", micros(single.get(1), 99), 200, "us"));
            } finally {
                BenchGroups.closeAll(doors);
            }

            double rate = o.rate() != null ? o.rate() : Math.max(1000, tmrPeak / 2);
            OpenLoop half = new OpenLoop(rate);
            List<Tally> fixed = Alternation.measure("fixed rate", groups, rounds, warmup, o.slice(0.20, 2),
                    (t, d) -> half.run(t, requests, d, true), p);
            sections.add(section(String.format("submit API at %,.0f req/s (%s)", rate,
                            o.rate() != null ? "--rate" : "half of the TMR peak above"),
                    "open loop at a fixed rate, latency from each request's due time, " + rounds
                            + " alternating rounds of " + o.slice(0.20, 2).toMillis() + " ms per target",
                    fixed, ratios("N=3 / N=1 p99", fixed.get(1).latency.getValueAtPercentile(99)
                            / (double) fixed.get(0).latency.getValueAtPercentile(99))));
            checks.add(Check.atMost("kv-small at half of peak: TMR submit p99", micros(fixed.get(1), 99), 1000, "us"));
        } finally {
            BenchGroups.closeAll(groups);
        }
        return new ScenarioReport(name(), requests.description(), Machine.current(), started, o.command(),
                (System.nanoTime() - t0) / 1e9, sections, checks, List.of());
    }

    static Section section(String title, String method, List<Tally> tallies, Map<String, Double> ratios) {
        return new Section(title, method, tallies.stream().map(Tally::summary).toList(), ratios);
    }

    /** Name/value pairs in order; NaN and infinite values (a zero baseline) are left out. */
    static Map<String, Double> ratios(Object... nameValue) {
        Map<String, Double> m = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            double v = (Double) nameValue[i + 1];
            if (Double.isFinite(v)) {
                m.put((String) nameValue[i], Math.round(v * 1000) / 1000.0);
            }
        }
        return m;
    }

    static double cpuRatio(Tally candidate, Tally baseline) {
        Measurement c = candidate.summary();
        Measurement b = baseline.summary();
        return c.cpuMicrosPerRequest() == null || b.cpuMicrosPerRequest() == null ? Double.NaN
                : c.cpuMicrosPerRequest() / b.cpuMicrosPerRequest();
    }

    static double micros(Tally t, double percentile) {
        return t.latency.getValueAtPercentile(percentile) / 1e3;
    }
}

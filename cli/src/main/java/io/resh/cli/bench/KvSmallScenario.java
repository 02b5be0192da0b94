package io.resh.cli.bench;

import io.resh.examples.kv.KvStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.Locale;
import org.HdrHistogram.Histogram;

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
    public Set<String> options() {
        return Set.of("--window", "--connections", "--rate", "--pin", "--checkpoint-every", "--seed");
    }

    @Override
    public ScenarioReport run(BenchOptions o) {
        ReportBuilder report = new ReportBuilder(name(), o);
        PrintWriter p = o.progress();
        RequestSource requests = KvWorkload.mixed(o.seed());
        int window = o.window() != null ? o.window() : DEFAULT_WINDOW;
        ClosedLoop many = new ClosedLoop(window);
        ClosedLoop lone = new ClosedLoop(1);
        int rounds = o.rounds();
        Duration warmup = o.warmup();
        Duration rewarm = Duration.ofMillis(300); // targets already warm from an earlier comparison

        Tally inProcess;
        try (InProcessTarget direct = new InProcessTarget(new KvStore())) {
            inProcess = Alternation.measureAlone("in-process", direct, 1, warmup, o.slice(0.04, 1),
                    (t, d) -> lone.run(t, requests, d, true), p);
        }

        p.println("starting N=1 and N=3 KvStore groups and an N=3 null-service group ...");
        List<GroupTarget> all = BenchGroups.startAll(List.of(
                BenchGroups.config("bench-kv-1", 1, KvStore.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build(),
                BenchGroups.config("bench-kv-3", 3, KvStore.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build(),
                BenchGroups.config("bench-null-3", 3, NullService.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build()),
                c -> GroupTarget.start(c, c.name().startsWith("bench-null") ? "N=3 null service" : null));
        List<GroupTarget> groups = all.subList(0, 2);
        try {
            GroupTarget n1 = groups.get(0);
            GroupTarget n3 = groups.get(1);

            Duration slice = o.slice(0.30, 3);
            List<Tally> submit = Alternation.measure("submit", all, rounds, warmup, o.maxWarmup(), slice,
                    (t, d) -> many.run(t, requests, d, true), p);
            double tmrPeak = submit.get(1).throughput();
            report.section(Section.of("in-process submit API, " + window + " outstanding",
                    closedLoop(window, rounds, slice) + "; in-process: the store called on the driver thread, one"
                            + " request at a time", List.of(inProcess, submit.get(0), submit.get(1), submit.get(2)),
                    new Ratios().throughput("N=3 / N=1 throughput", submit.get(1), submit.get(0))
                            .throughput("N=3 / in-process throughput", submit.get(1), inProcess)
                            .cpu("N=3 / N=1 cpu per request", submit.get(1), submit.get(0))
                            .throughput("N=3 null service / N=3 KvStore throughput", submit.get(2), submit.get(1))));
            report.check(Check.atLeast("kv-small submit: TMR voted requests/s", tmrPeak, 1_000_000, "req/s"));

            List<FrontDoorTarget> doors = new ArrayList<>();
            try {
                doors.add(FrontDoorTarget.over(n1.group(), o.connections()));
                doors.add(FrontDoorTarget.over(n3.group(), o.connections()));
                slice = o.slice(0.28, 2);
                List<Tally> door = Alternation.measure("front door", doors, rounds, warmup, slice,
                        (t, d) -> many.run(t, requests, d, true), p);
                report.section(Section.of("TCP front door, " + window + " outstanding over " + o.connections()
                                + " connections", closedLoop(window, rounds, slice), door,
                        new Ratios().throughput("N=3 / N=1 throughput", door.get(1), door.get(0))
                                .cpu("N=3 / N=1 cpu per request", door.get(1), door.get(0))));
                report.check(Check.atLeast("kv-small front door: TMR / N=1 throughput",
                        door.get(1).throughput() / door.get(0).throughput(), 0.6, "x"));

                slice = o.slice(0.18, 5);
                Target n3Parked = new Relabeled(n3, "N=3 submit, parks");
                ClosedLoop loneParked = ClosedLoop.loneParked();
                List<Tally> single = Alternation.measure("lone request",
                        List.of(n1, n3, n3Parked, doors.get(0), doors.get(1)), rounds, rewarm, slice,
                        (t, d) -> (t == n3Parked ? loneParked : lone).run(t, requests, d, false), p);
                report.section(Section.of("a lone request (one outstanding)", closedLoop(1, rounds, slice)
                                + "; the client busy-waits for its reply (up to 1 ms), except 'parks': it sleeps at once"
                                + " and is woken by the reply", single,
                        new Ratios().latency("N=3 / N=1 submit p50", 50, single.get(1), single.get(0))
                                .latency("N=3 parks / busy-waits p50", 50, single.get(2), single.get(1))
                                .latency("N=3 / N=1 front door p50", 50, single.get(4), single.get(3))));
                report.check(Check.atMost("kv-small lone request: TMR submit p50", Ratios.micros(single.get(1), 50), 50, "us"));
                report.check(Check.atMost("kv-small lone request: TMR submit p99", Ratios.micros(single.get(1), 99), 200, "us"));
                report.note(uncorrected("lone request", single.get(1)));
            } finally {
                BenchGroups.closeAll(doors);
            }

            double rate = o.rate() != null ? o.rate() : Math.max(1000, tmrPeak / 2);
            OpenLoop half = new OpenLoop(rate);
            slice = o.slice(0.20, 3);
            List<Tally> fixed;
            // The store called on the driver's own thread at the same rate: the floor that the driver, this
            // JVM's collector and the machine set for any p99 at this rate, with no IPC and no vote.
            try (InProcessTarget direct = new InProcessTarget(new KvStore())) {
                List<Target> targets = List.of(direct, groups.get(0), groups.get(1));
                fixed = Alternation.measure("fixed rate", targets, rounds, rewarm, slice,
                        (t, d) -> half.run(t, requests, d, true), p);
            }
            report.section(Section.of(String.format(Locale.ROOT, "submit API at %,.0f req/s (%s)", rate,
                            o.rate() != null ? "--rate" : "half of the TMR peak above"),
                    "open loop at a fixed rate, latency from each request's due time, " + rounds
                            + " alternating rounds of " + slice.toMillis() + " ms per target; in-process: the"
                            + " store called on the driver's thread, the floor this driver and JVM set",
                    fixed, new Ratios().latency("N=3 / N=1 p99", 99, fixed.get(2), fixed.get(1))
                            .latency("N=1 / in-process p99", 99, fixed.get(1), fixed.get(0))));
            report.check(Check.atMost("kv-small at half of peak: TMR submit p99", Ratios.micros(fixed.get(2), 99), 1000, "us"));
        } finally {
            report.noteFaults(all);
            report.noteDeferredCheckpoints(all);
            BenchGroups.closeAll(all);
        }
        report.note("N=3 null service: the same requests through a service that returns them unchanged; its"
                + " throughput is resh's own ceiling on this machine, without the store's work");
        return report.build(requests.description());
    }

    /**
     * A closed loop's correction turns one stall of a few milliseconds into a hundred back-filled requests, so
     * the corrected p99 of a lone request is set by how often the machine stalls it, not by how long a request
     * takes. The report gives both, and the stalls' count, so the two can be told apart.
     */
    static String uncorrected(String what, Tally t) {
        Histogram h = t.uncorrected;
        long over = h.getTotalCount() - h.getCountBetweenValues(0, 1_000_000);
        double seconds = t.nanos / 1e9;
        return String.format(Locale.ROOT, "%s, %s, each request's own latency (not corrected): p50 %.1f us, p99 %.1f us,"
                        + " p99.9 %.1f us; %d of %,d requests over 1 ms (%.1f per second): the corrected p99 above counts"
                        + " the requests those stalls kept from being sent", what, t.label,
                h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(99) / 1e3, h.getValueAtPercentile(99.9) / 1e3,
                over, h.getTotalCount(), seconds > 0 ? over / seconds : 0);
    }

    static String closedLoop(int window, int rounds, Duration slice) {
        return "closed loop, window " + window + ", " + rounds + " alternating round" + (rounds == 1 ? "" : "s")
                + " of " + slice.toMillis() + " ms per target";
    }
}

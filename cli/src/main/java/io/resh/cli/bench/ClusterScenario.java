package io.resh.cli.bench;

import io.resh.cluster.ClusterBench;
import io.resh.examples.kv.KvStore;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * D-RESH: the same TMR key-value group replicated across hosts (Apache Ratis orders every request in a
 * durable log, every host executes and votes it) against the group on one host behind its front
 * door, and against the durable single-host mode. All "hosts" run on this machine on loopback, so
 * this measures the protocol's cost, not a network's.
 */
final class ClusterScenario implements Scenario {
    static final int DEFAULT_WINDOW = 64;
    static final int[] HOSTS = {1, 3};

    @Override
    public String name() {
        return "cluster";
    }

    @Override
    public String summary() {
        return "TMR KvStore replicated across 3 loopback hosts (Raft log) vs 1 durable host vs one plain group";
    }

    @Override
    public Set<String> options() {
        return Set.of("--window", "--seed");
    }

    @Override
    public ScenarioReport run(BenchOptions o) {
        ReportBuilder report = new ReportBuilder(name(), o);
        PrintWriter p = o.progress();
        int window = o.window() != null ? o.window() : DEFAULT_WINDOW;
        RequestSource requests = KvWorkload.sets(o.seed());
        byte[] request = requests.next();
        Duration slice = o.slice(1.0 / (HOSTS.length + 1), 1);
        List<Tally> plain = new ArrayList<>();
        p.println("starting a plain TMR KvStore group behind its front door ...");
        try (GroupTarget group = GroupTarget.start(BenchGroups.config("bench-cluster-plain", 3, KvStore.class.getName(),
                o, 1000).build()); FrontDoorTarget door = FrontDoorTarget.over(group.group(), 1)) {
            ClosedLoop loop = new ClosedLoop(window);
            RequestSource same = new RequestSource(List.of(request), "one 64-byte SET, repeated");
            plain.add(Alternation.measureAlone("plain group", door, o.rounds(), o.warmup(), slice,
                    (t, d) -> loop.run(t, same, d, true), p));
            report.noteFaults(List.of(group));
        }
        List<Measurement> rows = new ArrayList<>();
        rows.add(plain.get(0).summary());
        Ratios ratios = new Ratios();
        for (int hosts : HOSTS) {
            p.printf("starting a %d-host cluster (%d replica processes) ...%n", hosts, hosts * 3);
            ClusterBench.Result r;
            try {
                r = ClusterBench.run(new ClusterBench.Options(hosts, 3, KvStore.class.getName(), request,
                        Integer.MAX_VALUE, window, slice.multipliedBy(o.rounds()), 2000, null), RaftLogging::quiet);
            } finally {
                RaftLogging.restore();
            }
            String label = hosts == 1 ? "1 durable host" : hosts + "-host cluster";
            p.printf(Locale.ROOT, "%s: %,.0f req/s, p99 %.0f us, %d errors%n", label, r.throughput(), r.p99Micros(), r.errors());
            rows.add(new Measurement(label, r.completed() + r.errors(), r.errors(), r.seconds(), r.throughput(), null, null,
                    new Measurement.Latency("none: raw send-to-reply times of the cluster client (closed loop)",
                            r.completed(), round(r.p50Micros()), null, round(r.p99Micros()), null, round(r.maxMicros())),
                    List.of(r.throughput()), r.errors() > 0 ? r.errors() + " requests failed" : null));
            ratios.of(label + " / one group throughput", r.throughput(), plain.get(0).throughput());
        }
        report.section(new Section("TMR KvStore: one group behind its front door vs Raft-ordered hosts on loopback, " + window
                + " outstanding", "closed loop, window " + window + "; the plain group over its TCP front door, "
                + o.rounds() + " rounds of " + slice.toMillis() + " ms; each cluster started once and loaded for "
                + slice.multipliedBy(o.rounds()).toMillis() + " ms after 2,000 warm-up requests (every request fsync'd"
                + " in the Raft log of every host)", rows, ratios.toMap()));
        report.note("all hosts share this machine's cores and disk: a real cluster has a network hop more and a"
                + " machine per host");
        return report.build("64-byte KV SET requests (TMR KvStore on every host)");
    }

    private static double round(double micros) {
        return Math.round(micros * 10) / 10.0;
    }
}

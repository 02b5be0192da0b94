package io.resh.cli.bench;

import io.resh.examples.aes.AesRequests;
import io.resh.examples.aes.JdkAes;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Compute-bound requests: AES-CTR over 64 KiB. Here the service's own work dominates, so the figure
 * of merit is the total CPU time per request of N replicas against one execution (the physical limit is
 * N times), and the latency of a lone request when the replicas run in parallel on their own cores.
 *
 * <p>Every replica runs the same implementation ({@link JdkAes}) so that N=1, DMR and TMR do the same
 * work per execution; diverse implementations (the demo's setup) would make the ratio measure
 * BouncyCastle against the JDK's AES instructions instead of resh.
 */
final class Aes64kScenario implements Scenario {
    static final int PLAINTEXT_BYTES = 64 * 1024;
    static final int DEFAULT_WINDOW = 4;
    static final int DEFAULT_CHECKPOINT_EVERY = 1000;

    @Override
    public String name() {
        return "aes-64k";
    }

    @Override
    public String summary() {
        return "AES-CTR over 64 KiB (compute-bound): CPU per request of N=1, DMR, TMR; DMR lone latency";
    }

    @Override
    public Set<String> options() {
        return Set.of("--window", "--pin", "--checkpoint-every", "--seed");
    }

    @Override
    public ScenarioReport run(BenchOptions o) {
        ReportBuilder report = new ReportBuilder(name(), o);
        PrintWriter p = o.progress();
        RequestSource requests = requests(o.seed());
        int window = o.window() != null ? o.window() : DEFAULT_WINDOW;
        ClosedLoop busy = new ClosedLoop(window);
        ClosedLoop lone = new ClosedLoop(1);
        int rounds = o.rounds();
        Duration warmup = o.warmup();
        // Four targets warm up until steady; a ninth of the duration each (4 s by default) keeps a default run
        // under a minute even where none of them gets steady sooner.
        Duration maxWarmup = o.duration().dividedBy(9);
        Duration rewarm = Duration.ofMillis(300); // targets already warm from an earlier comparison or warmed below

        Tally inProcess;
        try (InProcessTarget direct = new InProcessTarget(new JdkAes())) {
            // The JIT takes seconds to reach its AES intrinsics (longer on a slow or busy machine); a baseline
            // measured before that made every replicated target look cheaper than the service alone.
            inProcess = Alternation.measure("in-process", List.of(direct), 1, warmup, maxWarmup, o.slice(0.06, 1),
                    (t, d) -> lone.run(t, requests, d, true), p).get(0);
        }

        p.println("starting N=1, N=2 and N=3 JdkAes groups ...");
        List<GroupTarget> groups = BenchGroups.startAll(List.of(
                BenchGroups.config("bench-aes-1", 1, JdkAes.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build(),
                BenchGroups.config("bench-aes-2", 2, JdkAes.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build(),
                BenchGroups.config("bench-aes-3", 3, JdkAes.class.getName(), o, DEFAULT_CHECKPOINT_EVERY).build()),
                GroupTarget::start);
        try {
            GroupTarget n1 = groups.get(0);
            GroupTarget n2 = groups.get(1);
            GroupTarget n3 = groups.get(2);
            Duration slice = o.slice(0.50, 2);
            List<Tally> cpu = Alternation.measure("cpu per request", List.of(n1, n3), rounds, warmup, maxWarmup,
                    slice, (t, d) -> busy.run(t, requests, d, true), p);
            List<Tally> rows = new ArrayList<>(List.of(inProcess));
            rows.addAll(cpu);
            report.section(Section.of("CPU time per request, " + window + " outstanding",
                    KvSmallScenario.closedLoop(window, rounds, slice) + "; CPU = this JVM + replica processes", rows,
                    new Ratios().cpu("N=3 / N=1 cpu per request", cpu.get(1), cpu.get(0))
                            .cpu("N=3 / in-process cpu per request", cpu.get(1), inProcess)
                            .cpu("N=1 / in-process cpu per request", cpu.get(0), inProcess)
                            .throughput("N=3 / N=1 throughput", cpu.get(1), cpu.get(0))));
            report.check(Check.atMost("aes-64k: TMR / N=1 CPU time per request", Ratios.cpuRatio(cpu.get(1), cpu.get(0)),
                    3.15, "x"));

            slice = o.slice(0.44, 5);
            // A busy-waiting client holds a core for as long as it waits: fine next to one replica, but DMR then
            // has one core for two replicas. The parked rows measure the premise of the target, two replicas
            // on two cores, with the same client for N=1 and N=2.
            Target n1Parked = new Relabeled(n1, "N=1 submit, parks");
            Target n2Parked = new Relabeled(n2, "N=2 submit, parks");
            ClosedLoop loneParked = ClosedLoop.loneParked();
            // N=2 is measured only here: cold, its first round would count its replicas' JIT against DMR.
            Alternation.warm("lone request", n2, warmup, maxWarmup, (t, d) -> busy.run(t, requests, d, true), p);
            List<Tally> latency = Alternation.measure("lone request", List.of(n1, n2, n3, n1Parked, n2Parked), rounds,
                    rewarm, slice, (t, d) -> (t == n1Parked || t == n2Parked ? loneParked : lone).run(t, requests, d, false), p);
            report.section(Section.of("a lone request (one outstanding)", KvSmallScenario.closedLoop(1, rounds, slice)
                            + "; the client busy-waits for its reply (up to 1 ms), except 'parks': it sleeps at once and"
                            + " is woken by the reply", latency,
                    new Ratios().latency("N=2 / N=1 p50", 50, latency.get(1), latency.get(0))
                            .latency("N=3 / N=1 p50", 50, latency.get(2), latency.get(0))
                            .latency("N=2 / N=1 p50, client parks", 50, latency.get(4), latency.get(3))));
            report.check(Check.atMost("aes-64k lone request: DMR / N=1 p50 latency, client parks",
                    latency.get(4).latency.getValueAtPercentile(50) / (double) latency.get(3).latency.getValueAtPercentile(50),
                    1.05, "x"));
        } finally {
            report.noteFaults(groups);
            report.noteDeferredCheckpoints(groups);
            BenchGroups.closeAll(groups);
        }
        if (!o.pin()) {
            report.note("replicas not pinned to cores (--pin pins each to its own)");
        }
        return report.build(requests.description());
    }

    static RequestSource requests(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<byte[]> pool = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            byte[] nonce = new byte[AesRequests.NONCE_BYTES];
            byte[] plain = new byte[PLAINTEXT_BYTES];
            random.nextBytes(nonce);
            random.nextBytes(plain);
            pool.add(AesRequests.encrypt(nonce, plain));
        }
        return new RequestSource(pool, "AES-128-CTR encryption of 64 KiB (JdkAes in every replica)");
    }
}

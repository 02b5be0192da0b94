package io.resh.campaign;

import io.resh.host.ReplicaGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.HdrHistogram.Histogram;

/**
 * Measures {@link OverheadReport}: the same seeded requests against the bare service, a one-replica
 * group and the campaign's group, each warmed up first. Latency with one request outstanding goes to
 * an HdrHistogram; throughput is measured separately with a window of requests in flight.
 */
final class OverheadProbe {
    private static final int PIPELINE_WINDOW = 32;

    private final CampaignConfig config;
    private final Workload workload;

    OverheadProbe(CampaignConfig config, Workload workload) {
        this.config = config;
        this.workload = workload;
    }

    OverheadReport measure(GroupSession session) {
        List<byte[]> requests = requests(config.overheadRequests());
        OverheadReport.Measurement bare = bare(requests);
        if (config.replicas() == 1) {
            OverheadReport.Measurement single = measure(List.of(new Setup("resh, 1 replica", session.client())), requests).get(0);
            return new OverheadReport(requests.size(), 1, bare, single, single);
        }
        String dir = config.workDir() == null ? null : config.workDir().resolve("overhead-single").toString();
        try (ReplicaGroup one = ReplicaGroup.start(GroupSession.groupConfig(config, workload, 1, "overhead-single", dir))) {
            GroupClient single = new GroupClient(one, new GoldenRun(workload.newGolden()), config.requestTimeout());
            List<OverheadReport.Measurement> m = measure(List.of(new Setup("resh, 1 replica", single),
                    new Setup("resh, " + config.replicas() + " replicas", session.client())), requests);
            return new OverheadReport(requests.size(), config.replicas(), bare, m.get(0), m.get(1));
        }
    }

    /** A measured setup: its name in the report and its client. */
    private record Setup(String name, GroupClient client) {
    }

    private List<byte[]> requests(int n) {
        SplittableRandom random = new SplittableRandom(config.seed() ^ 0x5eed0f0e4ea9L);
        List<byte[]> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(workload.nextRequest(random));
        }
        return out;
    }

    private OverheadReport.Measurement bare(List<byte[]> requests) {
        GoldenRun run = new GoldenRun(workload.newGolden());
        for (byte[] r : requests) {
            run.expect(r); // warm-up: the JIT compiles the service before it is timed
        }
        // Best of three: in-process timings of microseconds are at the mercy of GC and of other processes.
        Histogram latency = null;
        double perSecond = 0;
        for (int pass = 0; pass < 3; pass++) {
            Histogram h = new Histogram(3);
            long t0 = System.nanoTime();
            for (byte[] r : requests) {
                long s = System.nanoTime();
                run.expect(r);
                h.recordValue(Math.max(1, System.nanoTime() - s));
            }
            double rate = requests.size() / ((System.nanoTime() - t0) / 1e9);
            if (rate > perSecond) {
                perSecond = rate;
                latency = h;
            }
        }
        return new OverheadReport.Measurement("service called directly", micros(latency.getValueAtPercentile(50)),
                micros(latency.getValueAtPercentile(99)), perSecond, perSecond, 0);
    }

    /**
     * Measures every client in turn, three rounds, keeping each one's best round: the setups then see
     * the same background load, and a warm-up pass first lets both the host and the replicas compile.
     */
    private static List<OverheadReport.Measurement> measure(List<Setup> setups, List<byte[]> requests) {
        List<GroupClient> clients = setups.stream().map(Setup::client).toList();
        int[] wrong = new int[clients.size()];
        for (int c = 0; c < clients.size(); c++) {
            wrong[c] += clients.get(c).pipelined(requests, PIPELINE_WINDOW, nanos -> { });
        }
        OverheadReport.Measurement[] best = new OverheadReport.Measurement[clients.size()];
        for (int round = 0; round < 3; round++) {
            for (int c = 0; c < clients.size(); c++) {
                GroupClient client = clients.get(c);
                Histogram latency = new Histogram(3);
                long t0 = System.nanoTime();
                for (byte[] r : requests) {
                    long s = System.nanoTime();
                    wrong[c] += client.call(r) == ReplyVerdict.CORRECT ? 0 : 1;
                    latency.recordValue(Math.max(1, System.nanoTime() - s));
                }
                double sequential = requests.size() / ((System.nanoTime() - t0) / 1e9);
                long t1 = System.nanoTime();
                wrong[c] += client.pipelined(requests, PIPELINE_WINDOW, nanos -> { });
                double pipelined = requests.size() / ((System.nanoTime() - t1) / 1e9);
                OverheadReport.Measurement m = new OverheadReport.Measurement(setups.get(c).name(), micros(latency.getValueAtPercentile(50)),
                        micros(latency.getValueAtPercentile(99)), sequential, pipelined, wrong[c]);
                best[c] = best[c] == null ? m : better(best[c], m);
            }
        }
        List<OverheadReport.Measurement> out = new ArrayList<>();
        for (int c = 0; c < clients.size(); c++) {
            OverheadReport.Measurement b = best[c];
            out.add(new OverheadReport.Measurement(b.setup(), b.p50Micros(), b.p99Micros(), b.sequentialPerSecond(),
                    b.pipelinedPerSecond(), wrong[c]));
        }
        return out;
    }

    /** The lower latencies and the higher rates of two rounds. */
    private static OverheadReport.Measurement better(OverheadReport.Measurement a, OverheadReport.Measurement b) {
        return new OverheadReport.Measurement(a.setup(), Math.min(a.p50Micros(), b.p50Micros()),
                Math.min(a.p99Micros(), b.p99Micros()), Math.max(a.sequentialPerSecond(), b.sequentialPerSecond()),
                Math.max(a.pipelinedPerSecond(), b.pipelinedPerSecond()), a.wrongReplies());
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 10.0) / 100.0;
    }
}

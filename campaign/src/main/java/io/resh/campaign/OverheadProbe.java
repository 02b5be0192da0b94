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
        OverheadReport.Measurement single;
        if (config.replicas() == 1) {
            single = measure("resh, 1 replica", session.client(), requests);
        } else {
            String dir = config.workDir() == null ? null : config.workDir().resolve("overhead-single").toString();
            try (ReplicaGroup one = ReplicaGroup.start(GroupSession.groupConfig(config, workload, 1, "overhead-single", dir))) {
                single = measure("resh, 1 replica", new GroupClient(one, new GoldenRun(workload.newGolden()),
                        config.requestTimeout()), requests);
            }
        }
        OverheadReport.Measurement replicated = config.replicas() == 1 ? single
                : measure("resh, " + config.replicas() + " replicas", session.client(), requests);
        return new OverheadReport(requests.size(), config.replicas(), bare, single, replicated);
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

    private static OverheadReport.Measurement measure(String setup, GroupClient client, List<byte[]> requests) {
        int wrong = client.pipelined(requests, PIPELINE_WINDOW, nanos -> { }); // warm-up of host and replicas
        Histogram latency = new Histogram(3);
        long t0 = System.nanoTime();
        for (byte[] r : requests) {
            long s = System.nanoTime();
            wrong += client.call(r) == ReplyVerdict.CORRECT ? 0 : 1;
            latency.recordValue(Math.max(1, System.nanoTime() - s));
        }
        double sequential = requests.size() / ((System.nanoTime() - t0) / 1e9);
        long t1 = System.nanoTime();
        wrong += client.pipelined(requests, PIPELINE_WINDOW, nanos -> { });
        double pipelined = requests.size() / ((System.nanoTime() - t1) / 1e9);
        return new OverheadReport.Measurement(setup, micros(latency.getValueAtPercentile(50)),
                micros(latency.getValueAtPercentile(99)), sequential, pipelined, wrong);
    }

    private static double micros(long nanos) {
        return Math.round(nanos / 10.0) / 100.0;
    }
}

package io.resh.cli.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code redis-benchmark} against one redis-server directly, through HAProxy (the plain TCP proxy a
 * user would otherwise put in front of it: the published anchor keeps about 69% of direct throughput),
 * and through resh's TMR gateway over three redis-servers, with and without pipelining, alternately.
 */
final class GatewayRedisScenario implements Scenario {
    static final int CLIENTS = 50;
    static final int VALUE_BYTES = 64;
    static final int[] PIPELINES = {1, 16};

    @Override
    public String name() {
        return "gateway-redis";
    }

    @Override
    public String summary() {
        return "redis-benchmark: direct vs HAProxy vs the TMR gateway over three redis-servers";
    }

    /** Something redis-benchmark can be pointed at, and the processes whose CPU it costs. */
    private record Endpoint(String label, int port, List<Long> pids) {
    }

    @Override
    public ScenarioReport run(BenchOptions o) throws IOException {
        Tools.require(name(), "redis-server", "redis-server", "redis-benchmark", "redis-tools", "haproxy", "haproxy");
        ReportBuilder report = new ReportBuilder(name(), o);
        PrintWriter p = o.progress();
        Path dir = Files.createTempDirectory("resh-bench-redis-");
        List<AutoCloseable> started = new ArrayList<>();
        try {
            LocalServer redis = redis("redis-direct", dir);
            started.add(redis);
            LocalServer haproxy = haproxy(redis.port(), dir);
            started.add(haproxy);
            List<Endpoint> endpoints = new ArrayList<>(List.of(
                    new Endpoint("direct", redis.port(), List.of(redis.pid())),
                    new Endpoint("HAProxy", haproxy.port(), List.of(redis.pid(), haproxy.pid()))));
            report.note("the TMR gateway is not in this build yet: only direct and HAProxy are measured");
            for (int pipeline : PIPELINES) {
                RedisBenchmark rb = new RedisBenchmark(CLIENTS, pipeline, VALUE_BYTES, dir);
                Duration slice = o.slice(1.0 / PIPELINES.length, endpoints.size() * 2);
                long requests = calibrate(rb, endpoints.get(0), slice, p);
                Map<String, RedisRows> rows = new LinkedHashMap<>();
                for (int r = 0; r < o.rounds(); r++) {
                    StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "redis -P %d: round %d/%d:",
                            pipeline, r + 1, o.rounds()));
                    for (int k = 0; k < endpoints.size(); k++) {
                        Endpoint e = endpoints.get(r % 2 == 0 ? k : endpoints.size() - 1 - k);
                        CpuMeter.Reading cpu0 = CpuMeter.read(e.pids());
                        List<RedisBenchmark.Result> results = rb.run(e.port(), requests, timeout(slice));
                        long cpu = CpuMeter.read(e.pids()).since(cpu0).replicaNanos();
                        for (RedisBenchmark.Result res : results) {
                            rows.computeIfAbsent(e.label() + " " + res.test(), RedisRows::new).add(res, cpu / results.size());
                            line.append(String.format(Locale.ROOT, "  %s %s %,.0f/s", e.label(), res.test(), res.rps()));
                        }
                    }
                    p.println(line);
                }
                Ratios ratios = new Ratios();
                for (String test : List.of("SET", "GET")) {
                    RedisRows direct = rows.get("direct " + test);
                    RedisRows proxy = rows.get("HAProxy " + test);
                    if (direct != null && proxy != null) {
                        ratios.of("HAProxy / direct " + test, proxy.throughput(), direct.throughput());
                    }
                }
                report.section(new Section(String.format(Locale.ROOT, "redis-benchmark, %d clients%s, %d-byte values",
                        CLIENTS, pipeline > 1 ? ", pipeline " + pipeline : ", no pipelining", VALUE_BYTES),
                        rb.describe() + " -n " + requests + "; " + o.rounds() + " alternating rounds; cpu = redis-server(s)"
                                + " and proxy processes; latency as redis-benchmark reports it",
                        rows.values().stream().map(RedisRows::summary).toList(), ratios.toMap()));
            }
        } finally {
            for (AutoCloseable c : started) {
                try {
                    c.close();
                } catch (Exception e) {
                    // keep stopping the rest
                }
            }
        }
        return report.build(String.format(Locale.ROOT, "redis-benchmark SET and GET, %d-byte values, %d clients",
                VALUE_BYTES, CLIENTS));
    }

    /** Requests per redis-benchmark test so that one run takes about {@code slice}; also warms the server up. */
    private static long calibrate(RedisBenchmark rb, Endpoint e, Duration slice, PrintWriter p) {
        long probe = 20_000L * rb.pipeline();
        List<RedisBenchmark.Result> r = rb.run(e.port(), probe, Duration.ofSeconds(60));
        double rps = r.stream().mapToDouble(RedisBenchmark.Result::rps).min().orElse(10_000);
        long n = Math.max(10_000, Math.min(20_000_000, (long) (rps * slice.toMillis() / 2000.0)));
        p.printf(Locale.ROOT, "redis -P %d: %s does %,.0f req/s; %,d requests per test%n", rb.pipeline(), e.label(), rps, n);
        return n;
    }

    private static Duration timeout(Duration slice) {
        return slice.multipliedBy(10).plusSeconds(30);
    }

    static LocalServer redis(String name, Path dir) {
        int port = LocalServer.freePort();
        return LocalServer.start(name, List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()), port, dir);
    }

    static LocalServer haproxy(int backendPort, Path dir) {
        int port = LocalServer.freePort();
        Path cfg = dir.resolve("haproxy.cfg");
        String config = String.join("\n",
                "global",
                "    maxconn 4096",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 120s",
                "    timeout server 120s",
                "frontend redis_in",
                "    bind 127.0.0.1:" + port,
                "    default_backend redis_out",
                "backend redis_out",
                "    server redis1 127.0.0.1:" + backendPort,
                "");
        try {
            Files.writeString(cfg, config);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + cfg, e);
        }
        return LocalServer.start("haproxy", List.of("haproxy", "-db", "-f", cfg.toString()), port, dir);
    }

    /** One target-and-test's redis-benchmark results over the rounds. */
    private static final class RedisRows {
        private final String label;
        private final List<Double> roundRps = new ArrayList<>();
        private final List<Double> p50s = new ArrayList<>();
        private long requests;
        private double seconds;
        private double worstP99Ms;
        private double maxMs;
        private long cpuNanos;

        RedisRows(String label) {
            this.label = label;
        }

        void add(RedisBenchmark.Result r, long cpu) {
            requests += r.requests();
            seconds += r.requests() / r.rps();
            roundRps.add(r.rps());
            p50s.add(r.p50Ms());
            worstP99Ms = Math.max(worstP99Ms, r.p99Ms());
            maxMs = Math.max(maxMs, r.maxMs());
            cpuNanos += cpu;
        }

        double throughput() {
            return requests / seconds;
        }

        Measurement summary() {
            List<Double> sorted = p50s.stream().sorted().toList();
            double medianP50 = sorted.get(sorted.size() / 2);
            return new Measurement(label, requests, 0, seconds, throughput(), cpuNanos / 1e3 / requests, null,
                    new Measurement.Latency("none: redis-benchmark's own closed-loop figures (median p50 and worst p99"
                            + " of the rounds)", requests, medianP50 * 1000, null, worstP99Ms * 1000, null, maxMs * 1000),
                    List.copyOf(roundRps), null);
        }
    }
}

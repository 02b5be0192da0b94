package io.resh.cli.bench;

import io.resh.gateway.Gateway;
import io.resh.gateway.GatewayConfig;
import io.resh.gateway.GatewayStatus;
import io.resh.gateway.server.Directories;
import io.resh.gateway.server.FreePorts;
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
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * {@code redis-benchmark} against one redis-server directly, through HAProxy (the plain TCP proxy a
 * user would otherwise put in front of it: the published anchor keeps about 69% of direct throughput),
 * and through resh's TMR gateway over three redis-servers, with and without pipelining, alternately; then the
 * same targets with large replies ({@code LRANGE} of 100 2000-byte elements), which have no target.
 */
final class GatewayRedisScenario implements Scenario {
    static final int CLIENTS = 50;
    static final int VALUE_BYTES = 64;
    static final int[] PIPELINES = {1, 16};
    /** Each SET/GET comparison's share of the duration; the large-reply one gets the rest. */
    static final double SMALL_SHARE = 0.4;
    static final double LARGE_SHARE = 1 - SMALL_SHARE * PIPELINES.length;
    static final int LARGE_CLIENTS = 20;
    static final int LARGE_PIPELINE = 32;
    static final int LARGE_VALUE_BYTES = 2000;

    @Override
    public String name() {
        return "gateway-redis";
    }

    @Override
    public String summary() {
        return "redis-benchmark: direct vs HAProxy vs the TMR gateway over three redis-servers (SET/GET, 200 KB LRANGEs)";
    }

    @Override
    public Set<String> options() {
        return Set.of();
    }

    /**
     * Something redis-benchmark can be pointed at, and what its requests cost CPU in: the listed
     * processes, plus this JVM when the gateway runs in it.
     */
    private record Endpoint(String label, int port, Supplier<List<Long>> pids, boolean inThisJvm) {
    }

    @Override
    public ScenarioReport run(BenchOptions o) throws IOException {
        Tools.require(name(), "redis-server", "redis-server", "redis-benchmark", "redis-tools", "haproxy", "haproxy");
        ReportBuilder report = new ReportBuilder(name(), o);
        PrintWriter p = o.progress();
        Path dir = Files.createTempDirectory("resh-bench-redis-");
        List<AutoCloseable> started = new CopyOnWriteArrayList<>();
        ExitGuard guard = ExitGuard.register(() -> stop(started, dir, p));
        try {
            LocalServer redis = redis("redis-direct", dir);
            started.add(redis);
            LocalServer haproxy = haproxy(redis.port(), dir);
            started.add(haproxy);
            p.println("starting an N=1 and a TMR gateway over redis-server ...");
            Gateway single = Gateway.start(gatewayConfig("bench-redis-1", 1));
            started.add(single);
            Gateway tmr = Gateway.start(gatewayConfig("bench-redis-3", 3));
            started.add(tmr);
            List<Endpoint> endpoints = new ArrayList<>(List.of(
                    new Endpoint("direct", redis.port(), () -> List.of(redis.pid()), false),
                    new Endpoint("HAProxy", haproxy.port(), () -> List.of(redis.pid(), haproxy.pid()), false),
                    new Endpoint("N=1 gateway", single.port(), () -> serverPids(single), true),
                    new Endpoint("TMR gateway", tmr.port(), () -> serverPids(tmr), true)));
            for (int pipeline : PIPELINES) {
                RedisBenchmark rb = new RedisBenchmark(CLIENTS, pipeline, VALUE_BYTES, dir);
                Map<String, RedisRows> rows = measure(rb, endpoints, o.slice(SMALL_SHARE, endpoints.size() * 2), o, p);
                Ratios ratios = new Ratios();
                for (String test : rb.reported()) {
                    ratios.of("HAProxy / direct " + test, throughput(rows, "HAProxy " + test), throughput(rows, "direct " + test));
                    ratios.of("TMR gateway / HAProxy " + test, throughput(rows, "TMR gateway " + test),
                            throughput(rows, "HAProxy " + test));
                    ratios.of("TMR gateway / N=1 gateway " + test, throughput(rows, "TMR gateway " + test),
                            throughput(rows, "N=1 gateway " + test));
                }
                double vsProxy = combined(rows, "TMR gateway") / combined(rows, "HAProxy");
                ratios.put("TMR gateway / HAProxy, SET and GET", vsProxy);
                report.check(Check.atLeast("gateway-redis" + (pipeline > 1 ? " -P " + pipeline : "")
                        + ": TMR gateway / HAProxy throughput", vsProxy, 0.5, "x"));
                report.section(new Section(String.format(Locale.ROOT, "redis-benchmark, %d clients%s, %d-byte values",
                        CLIENTS, pipeline > 1 ? ", pipeline " + pipeline : ", no pipelining", VALUE_BYTES),
                        describe(rb, rows, o), rows.values().stream().map(RedisRows::summary).toList(), ratios.toMap()));
            }
            // Large replies have no target; they show what voting costs when the bytes, not the requests, dominate.
            RedisBenchmark large = new RedisBenchmark(LARGE_CLIENTS, LARGE_PIPELINE, LARGE_VALUE_BYTES,
                    RedisBenchmark.LRANGE_100, dir);
            Map<String, RedisRows> rows = measure(large, endpoints, o.slice(LARGE_SHARE, endpoints.size()), o, p);
            Ratios ratios = new Ratios();
            ratios.of("HAProxy / direct", throughput(rows, "HAProxy LRANGE_100"), throughput(rows, "direct LRANGE_100"));
            ratios.of("TMR gateway / HAProxy", throughput(rows, "TMR gateway LRANGE_100"), throughput(rows, "HAProxy LRANGE_100"));
            ratios.of("TMR gateway / N=1 gateway", throughput(rows, "TMR gateway LRANGE_100"),
                    throughput(rows, "N=1 gateway LRANGE_100"));
            report.section(new Section(String.format(Locale.ROOT, "large replies: LRANGE of 100 %d-byte elements"
                    + " (~%d KB a reply), %d clients, pipeline %d", LARGE_VALUE_BYTES, LARGE_VALUE_BYTES / 10, LARGE_CLIENTS,
                    LARGE_PIPELINE), describe(large, rows, o) + "; no target", rows.values().stream()
                    .map(RedisRows::summary).toList(), ratios.toMap()));
            report.note("cpu us/req: redis-server(s) and HAProxy processes for direct and HAProxy; the redis-servers"
                    + " and this JVM (the gateway) for the gateways; redis-benchmark itself is not counted, and a"
                    + " run's CPU is split evenly between its SET and GET rows (LRANGE_100's includes the LPUSHes that"
                    + " fill the list)");
            report.note("the TMR gateway's faults during the run: " + faults(tmr));
        } finally {
            guard.close();
        }
        return report.build(String.format(Locale.ROOT, "redis-benchmark SET and GET, %d-byte values, %d clients",
                VALUE_BYTES, CLIENTS));
    }

    /**
     * Runs {@code rb} against every endpoint, alternating their order from round to round, after calibrating each
     * to take about {@code slice} a run. Rows are keyed "target TEST".
     */
    private Map<String, RedisRows> measure(RedisBenchmark rb, List<Endpoint> endpoints, Duration slice, BenchOptions o,
                                           PrintWriter p) {
        String what = rb.reported().equals(List.of("SET", "GET")) ? "redis -P " + rb.pipeline() : "redis LRANGE_100";
        Map<String, Long> requests = new LinkedHashMap<>();
        for (Endpoint e : endpoints) {
            requests.put(e.label(), calibrate(rb, what, e, slice, p));
        }
        lastRequests = requests.values().toString();
        Map<String, RedisRows> rows = new LinkedHashMap<>();
        for (int r = 0; r < o.rounds(); r++) {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%s: round %d/%d:", what, r + 1, o.rounds()));
            for (int k = 0; k < endpoints.size(); k++) {
                Endpoint e = endpoints.get(r % 2 == 0 ? k : endpoints.size() - 1 - k);
                CpuMeter.Reading cpu0 = CpuMeter.read(e.pids().get());
                List<RedisBenchmark.Result> results = rb.run(e.port(), requests.get(e.label()), timeout(slice));
                CpuMeter.Usage used = CpuMeter.read(e.pids().get()).since(cpu0);
                long cpu = used.replicaNanos() + (e.inThisJvm() ? used.hostNanos() : 0);
                for (RedisBenchmark.Result res : results) {
                    rows.computeIfAbsent(e.label() + " " + res.test(), RedisRows::new).add(res, cpu / results.size());
                    line.append(String.format(Locale.ROOT, "  %s %s %,.0f/s", e.label(), res.test(), res.rps()));
                }
            }
            p.println(line);
        }
        return rows;
    }

    /** Requests per target of the last {@link #measure}, for the section's method line. */
    private String lastRequests;

    private String describe(RedisBenchmark rb, Map<String, RedisRows> rows, BenchOptions o) {
        return rb.describe() + " -n " + lastRequests + " (per target); " + o.rounds()
                + " alternating rounds; latency as redis-benchmark reports it";
    }

    private static double throughput(Map<String, RedisRows> rows, String label) {
        RedisRows r = rows.get(label);
        return r == null ? Double.NaN : r.throughput();
    }

    /** SET and GET together: all their requests over all their time. */
    private static double combined(Map<String, RedisRows> rows, String target) {
        RedisRows set = rows.get(target + " SET");
        RedisRows get = rows.get(target + " GET");
        if (set == null || get == null) {
            return Double.NaN;
        }
        return (set.requests + get.requests) / (set.seconds + get.seconds);
    }

    private static List<Long> serverPids(Gateway g) {
        return g.status().replicas().stream().mapToLong(GatewayStatus.ReplicaStatus::pid).filter(pid -> pid > 0).boxed()
                .toList();
    }

    private static String faults(Gateway g) {
        List<String> f = g.status().replicas().stream().filter(r -> r.faults() > 0)
                .map(r -> "replica " + r.replica() + ": " + r.faults() + " (last: " + r.lastFault() + ")").toList();
        return f.isEmpty() ? "none" : String.join("; ", f);
    }

    /** An ordered-mode RESP gateway over {@code replicas} redis-servers on free loopback ports. */
    static GatewayConfig gatewayConfig(String group, int replicas) {
        String yaml = String.join("\n",
                "group: " + group,
                "replicas: " + replicas,
                "server:",
                "  command: redis-server --port {port} --bind 127.0.0.1 --save \"\" --appendonly no",
                "  ready: tcp",
                "listen: { host: 127.0.0.1, port: 0, protocol: resp, mode: ordered }",
                "");
        return GatewayConfig.parse(yaml, group + " (resh bench)");
    }

    /**
     * Requests per redis-benchmark test so that the reported tests together take about {@code slice}; also warms the
     * target up.
     */
    private static long calibrate(RedisBenchmark rb, String what, Endpoint e, Duration slice, PrintWriter p) {
        boolean large = !rb.reported().equals(List.of("SET", "GET"));
        // A large reply costs ~100 small ones, but its path needs thousands to be compiled (a short run only shows it works).
        long probe = !large ? 10_000L * rb.pipeline() : slice.compareTo(Duration.ofSeconds(1)) >= 0 ? 3_000 : 500;
        rb.run(e.port(), probe, Duration.ofSeconds(120)); // warm-up: a cold JVM or connection pool is slower
        List<RedisBenchmark.Result> r = rb.run(e.port(), probe, Duration.ofSeconds(120));
        double rps = r.stream().mapToDouble(RedisBenchmark.Result::rps).min().orElse(10_000);
        long n = Math.max(large ? 500 : 5_000, Math.min(20_000_000,
                (long) (rps * slice.toMillis() / 1000.0 / rb.reported().size())));
        p.printf(Locale.ROOT, "%s: %s does %,.0f req/s; %,d requests per test%n", what, e.label(), rps, n);
        return n;
    }

    private static Duration timeout(Duration slice) {
        return slice.multipliedBy(10).plusSeconds(30);
    }

    /** Stops what the run started, newest first, and deletes its directory (logs and CSVs, all read by now). */
    private static void stop(List<AutoCloseable> started, Path dir, PrintWriter p) {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            } catch (Exception e) {
                // keep stopping the rest
            }
        }
        try {
            Directories.delete(dir);
        } catch (IOException e) {
            p.println("could not delete " + dir + ": " + e.getMessage());
        }
    }

    static LocalServer redis(String name, Path dir) {
        int port = FreePorts.pick();
        return LocalServer.start(name, List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--daemonize", "no", "--dir", dir.toString()), port, dir);
    }

    static LocalServer haproxy(int backendPort, Path dir) {
        int port = FreePorts.pick();
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

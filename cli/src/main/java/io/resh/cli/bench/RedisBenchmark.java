package io.resh.cli.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code redis-benchmark} against a port and reads its {@code --csv} output: one result per test
 * (SET, GET; or LRANGE_100) with requests/s and the latency percentiles redis-benchmark measured itself (closed
 * loop per connection, from send to reply; not corrected for coordinated omission).
 */
final class RedisBenchmark {
    /** SET and GET of random keys among 100,000. */
    static final String SET_GET = "set,get";
    /** {@code LRANGE mylist 0 99}, after the {@code LPUSH}es that fill the list (which are not reported). */
    static final String LRANGE_100 = "lrange_100";

    /** One redis-benchmark test's line. Latencies in milliseconds, as redis-benchmark prints them. */
    record Result(String test, long requests, double rps, double p50Ms, double p99Ms, double maxMs) {
    }

    private final int clients;
    private final int pipeline;
    private final int valueBytes;
    private final String tests;
    private final Path workDir;

    RedisBenchmark(int clients, int pipeline, int valueBytes, Path workDir) {
        this(clients, pipeline, valueBytes, SET_GET, workDir);
    }

    RedisBenchmark(int clients, int pipeline, int valueBytes, String tests, Path workDir) {
        this.clients = clients;
        this.pipeline = pipeline;
        this.valueBytes = valueBytes;
        this.tests = tests;
        this.workDir = workDir;
    }

    /** The names of the tests reported, as in the CSV's first column's first word: SET and GET, or LRANGE_100. */
    List<String> reported() {
        return tests.equals(LRANGE_100) ? List.of("LRANGE_100") : List.of("SET", "GET");
    }

    int pipeline() {
        return pipeline;
    }

    String describe() {
        return "redis-benchmark -c " + clients + (pipeline > 1 ? " -P " + pipeline : "") + " -d " + valueBytes
                + (tests.equals(SET_GET) ? " -r 100000" : "") + " -t " + tests;
    }

    /** Runs the tests, {@code requests} each, against 127.0.0.1:{@code port}; returns the reported ones' results. */
    List<Result> run(int port, long requests, Duration timeout) {
        List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port),
                "-c", Integer.toString(clients), "-n", Long.toString(requests), "-P", Integer.toString(pipeline), "-d",
                Integer.toString(valueBytes), "-t", tests, "--csv"));
        if (tests.equals(SET_GET)) {
            cmd.addAll(List.of("-r", "100000"));
        }
        Path out = workDir.resolve("redis-benchmark-" + port + ".csv");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(3, TimeUnit.SECONDS);
                throw new IllegalStateException("redis-benchmark against port " + port + " did not finish " + requests
                        + " requests within " + timeout.toSeconds() + " s");
            }
            List<String> lines = Files.readAllLines(out);
            if (p.exitValue() != 0) {
                throw new IllegalStateException("redis-benchmark against port " + port + " exited with "
                        + p.exitValue() + ": " + String.join(" | ", lines));
            }
            return reportedOf(parse(lines, requests));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-benchmark: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while redis-benchmark ran", e);
        }
    }

    /** The reported tests' results, each named by its first word ({@code LRANGE_100 (first 100 elements)}: LRANGE_100). */
    List<Result> reportedOf(List<Result> all) {
        return all.stream().map(r -> new Result(r.test().split(" ")[0], r.requests(), r.rps(), r.p50Ms(), r.p99Ms(),
                r.maxMs())).filter(r -> reported().contains(r.test())).toList();
    }

    /** Parses {@code "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"}. */
    static List<Result> parse(List<String> lines, long requests) {
        List<Result> results = new ArrayList<>();
        List<String> header = null;
        for (String line : lines) {
            List<String> cells = cells(line);
            if (cells.isEmpty()) {
                continue;
            }
            if (header == null) {
                if (cells.get(0).equals("test")) {
                    header = cells;
                }
                continue;
            }
            if (cells.size() != header.size()) {
                continue; // a progress or error line, not a result
            }
            results.add(new Result(cells.get(0), requests, number(header, cells, "rps"),
                    number(header, cells, "p50_latency_ms"), number(header, cells, "p99_latency_ms"),
                    number(header, cells, "max_latency_ms")));
        }
        if (results.isEmpty()) {
            throw new IllegalStateException("redis-benchmark printed no results: " + String.join(" | ", lines));
        }
        return results;
    }

    private static double number(List<String> header, List<String> cells, String column) {
        int i = header.indexOf(column);
        if (i < 0) {
            throw new IllegalStateException("redis-benchmark's CSV has no column '" + column + "': " + header);
        }
        return Double.parseDouble(cells.get(i));
    }

    private static List<String> cells(String line) {
        List<String> out = new ArrayList<>();
        for (String c : line.trim().split(",")) {
            String v = c.trim();
            if (v.startsWith("\"") && v.endsWith("\"") && v.length() >= 2) {
                v = v.substring(1, v.length() - 1);
            }
            if (!v.isEmpty()) {
                out.add(v);
            }
        }
        return out;
    }
}

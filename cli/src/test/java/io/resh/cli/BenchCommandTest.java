package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code resh bench}: tiny, bounded runs of the real scenarios (real replica processes, real sockets)
 * whose printed tables and JSON must have the documented structure. Speed is never asserted: the
 * machine running the tests decides that.
 */
class BenchCommandTest {
    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    /** {@code resh bench ARGS}, as the real command line runs it. */
    private int run(String... args) {
        CommandLine cl = Resh.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        List<String> all = new ArrayList<>(List.of("bench"));
        all.addAll(List.of(args));
        return cl.execute(all.toArray(String[]::new));
    }

    private static List<String> texts(JsonNode array, String field) {
        List<String> values = new ArrayList<>();
        array.forEach(n -> values.add(n.get(field).asText()));
        return values;
    }

    @Test
    void shouldListEveryScenario() {
        assertThat(run("list")).isZero();
        assertThat(out.toString()).contains("kv-small", "aes-64k", "recovery", "gateway-redis", "cluster");
    }

    @Test
    void shouldRejectAnUnknownScenarioNamingTheKnownOnes() {
        assertThat(run("kv-large")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(err.toString()).startsWith("resh bench: SCENARIO: expected one of kv-small, aes-64k, recovery")
                .endsWith(", got 'kv-large'" + System.lineSeparator());
    }

    @Test
    void shouldRejectABadDurationNamingTheOption() {
        assertThat(run("kv-small", "--duration", "soon")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("--duration", "soon");
        assertThat(run("kv-small", "--duration", "0s")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(err.toString()).contains("resh bench: --duration: expected a positive duration, got 0ms");
    }

    /** An option a scenario does not read was ignored: {@code gateway-redis --state-mb 1} ran as if it were not given. */
    @Test
    void shouldRefuseAnOptionTheScenarioDoesNotUseBeforeStartingAnything() {
        assertThat(run("gateway-redis", "--state-mb", "1")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(run("cluster", "--pin", "--window", "8")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(run("aes-64k", "--connections", "4")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(err.toString().lines()).containsExactly(
                "resh bench: --state-mb: gateway-redis does not use it (recovery does); leave it out",
                "resh bench: --pin: cluster does not use it (kv-small, aes-64k, recovery do); leave it out",
                "resh bench: --connections: aes-64k does not use it (kv-small does); leave it out");
        assertThat(out.toString()).isEmpty();
        for (var s : io.resh.cli.bench.Scenarios.all()) {
            assertThat(io.resh.cli.bench.Scenario.SPECIFIC).as(s.name()).containsAll(s.options());
        }
    }

    @Test
    void shouldRejectOutOfRangeOptionsBeforeStartingAnything() {
        assertThat(run("aes-64k", "--rate", "-5")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(run("kv-small", "--window", "0")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(run("recovery", "--checkpoint-every", "0")).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(err.toString().lines()).containsExactly(
                "resh bench: --rate: expected requests/s above 0 and at most 100000000, got -5.0",
                "resh bench: --window: expected at least 1, got 0", "resh bench: --checkpoint-every: expected at least 1, got 0");
        assertThat(err.toString()).doesNotContain("starting");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldRefuseAJsonPathItCannotWriteBeforeRunning() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        assertThat(run("kv-small", "--json", dir.toString())).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(run("kv-small", "--json", file.resolve("report.json").toString())).isEqualTo(BenchCommand.EXIT_USAGE);
        assertThat(err.toString().lines()).containsExactly(
                "resh bench: --json: cannot write the report to " + dir + ": it is a directory",
                "resh bench: --json: cannot write the report to " + file.resolve("report.json")
                        + ": a file stands where a directory is needed");
        assertThat(out.toString()).isEmpty();
        assertThat(Files.readString(file)).isEqualTo("x");
    }

    @Test
    void shouldLeaveNoFileBehindWhenCheckingAJsonPath() throws Exception {
        Path fresh = dir.resolve("new/sub/report.json");
        io.resh.cli.bench.JsonReport.checkWritable(fresh);
        assertThat(fresh).doesNotExist();
        Path existing = Files.writeString(dir.resolve("old.json"), "{\"kept\": true}");
        io.resh.cli.bench.JsonReport.checkWritable(existing);
        assertThat(Files.readString(existing)).isEqualTo("{\"kept\": true}");
    }


    @Test
    @Tag("e2e")
    void shouldCompareInProcessN1AndTmrOnKvSmallAndWriteTheJson() throws Exception {
        Path json = dir.resolve("kv-small.json");
        int status = run("kv-small", "--duration", "2s", "--rounds", "1", "--window", "16", "--connections", "1",
                "--json", json.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(out.toString()).contains("== resh bench kv-small", "N=1 submit", "N=3 submit", "N=3 front door",
                "ratio N=3 / N=1 throughput", "-- targets", "kv-small front door: TMR / N=1 throughput");
        JsonNode report = new ObjectMapper().readTree(json.toFile()).get("reports").get(0);
        assertThat(report.get("scenario").asText()).isEqualTo("kv-small");
        assertThat(report.get("command").asText()).startsWith("resh bench kv-small --duration 2s");
        assertThat(report.get("machine").get("cores").asInt()).isPositive();
        assertThat(report.get("machine").get("scheduler").asText()).isNotBlank();
        assertThat(report.get("stolenCpuPercent").asDouble()).as("a share of the CPU time, or -1 where unknown")
                .isBetween(-1.0, 100.0);
        assertThat(out.toString()).contains("note: CPU time stolen by the hypervisor during the run: ");
        JsonNode sections = report.get("sections");
        assertThat(sections).hasSize(4);
        assertThat(texts(sections.get(0).get("rows"), "label")).containsExactly("in-process", "N=1 submit", "N=3 submit",
                "N=3 null service");
        assertThat(texts(sections.get(1).get("rows"), "label")).containsExactly("N=1 front door", "N=3 front door");
        assertThat(texts(sections.get(2).get("rows"), "label"))
                .containsExactly("N=1 submit", "N=3 submit", "N=3 submit, parks", "N=1 front door", "N=3 front door");
        assertThat(texts(sections.get(3).get("rows"), "label")).containsExactly("in-process", "N=1 submit", "N=3 submit");
        for (JsonNode section : sections) {
            assertThat(section.get("ratios").size()).isPositive();
            for (JsonNode row : section.get("rows")) {
                assertThat(row.get("requests").asLong()).as(row.toString()).isPositive();
                assertThat(row.get("errors").asLong()).as(row.toString()).isZero();
                assertThat(row.get("throughput").asDouble()).isPositive();
                JsonNode latency = row.get("latency");
                assertThat(latency.get("samples").asLong()).isPositive();
                assertThat(latency.get("p50").asDouble()).isLessThanOrEqualTo(latency.get("p99").asDouble());
                assertThat(latency.get("p99").asDouble()).isLessThanOrEqualTo(latency.get("max").asDouble());
                assertThat(latency.get("correction").asText()).isNotBlank();
            }
        }
        assertThat(sections.get(0).get("rows").get(2).get("cpuMicrosPerRequest").asDouble()).isPositive();
        assertThat(texts(report.get("checks"), "target")).containsExactly("kv-small submit: TMR voted requests/s",
                "kv-small front door: TMR / N=1 throughput", "kv-small lone request: TMR submit p50",
                "kv-small lone request: TMR submit p99", "kv-small at half of peak: TMR submit p99");
        report.get("checks").forEach(c -> assertThat(c.get("met").isBoolean()).isTrue());
    }

    @Test
    @Tag("e2e")
    void shouldMeasureCpuPerRequestOfN1AndTmrOnAes64k() throws Exception {
        Path json = dir.resolve("aes.json");
        int status = run("aes-64k", "--duration", "2s", "--rounds", "1", "--json", json.toString());

        assertThat(status).as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.toFile()).get("reports").get(0);
        JsonNode cpu = report.get("sections").get(0);
        assertThat(texts(cpu.get("rows"), "label")).containsExactly("in-process", "N=1 submit", "N=3 submit");
        cpu.get("rows").forEach(r -> assertThat(r.get("cpuMicrosPerRequest").asDouble()).as(r.toString()).isPositive());
        assertThat(cpu.get("ratios").get("N=3 / N=1 cpu per request").asDouble()).isPositive();
        assertThat(texts(report.get("sections").get(1).get("rows"), "label"))
                .containsExactly("N=1 submit", "N=2 submit", "N=3 submit", "N=1 submit, parks", "N=2 submit, parks");
        assertThat(texts(report.get("checks"), "target")).containsExactly("aes-64k: TMR / N=1 CPU time per request",
                "aes-64k lone request: DMR / N=1 p50 latency, client parks");
    }

    @Test
    @Tag("e2e")
    void shouldRunRedisBenchmarkDirectThroughHaproxyAndThroughTheGateway() throws Exception {
        Path json = dir.resolve("redis.json");
        int status = run("gateway-redis", "--duration", "2s", "--rounds", "1", "--json", json.toString());

        assertThat(status).as(err.toString()).isZero();
        JsonNode report = new ObjectMapper().readTree(json.toFile()).get("reports").get(0);
        JsonNode sections = report.get("sections");
        assertThat(sections).hasSize(3);
        JsonNode large = sections.get(2);
        assertThat(large.get("title").asText()).startsWith("large replies: LRANGE of 100 2000-byte elements");
        assertThat(texts(large.get("rows"), "label")).containsExactly("direct LRANGE_100", "HAProxy LRANGE_100",
                "N=1 gateway LRANGE_100", "TMR gateway LRANGE_100");
        large.get("rows").forEach(r -> assertThat(r.get("throughput").asDouble()).as(r.toString()).isPositive());
        assertThat(large.get("ratios").get("TMR gateway / HAProxy").asDouble()).isPositive();
        for (JsonNode s : List.of(sections.get(0), sections.get(1))) {
            assertThat(texts(s.get("rows"), "label")).containsExactly("direct SET", "direct GET", "HAProxy SET",
                    "HAProxy GET", "N=1 gateway SET", "N=1 gateway GET", "TMR gateway SET", "TMR gateway GET");
            s.get("rows").forEach(r -> {
                assertThat(r.get("throughput").asDouble()).as(r.toString()).isPositive();
                assertThat(r.get("latency").get("p90").isNull()).isTrue(); // redis-benchmark does not report it
            });
            assertThat(s.get("ratios").get("TMR gateway / HAProxy, SET and GET").asDouble()).isPositive();
        }
        assertThat(texts(report.get("checks"), "target")).containsExactly(
                "gateway-redis: TMR gateway / HAProxy throughput", "gateway-redis -P 16: TMR gateway / HAProxy throughput");
    }

    @Test
    @Tag("e2e")
    void shouldRecoverAKilledReplicaWithoutAClientError() throws Exception {
        Path json = dir.resolve("recovery.json");
        Set<Path> before = recoveryDirectories();
        int status = run("recovery", "--state-mb", "1", "--rounds", "1", "--duration", "1s", "--rate", "200",
                "--json", json.toString());

        assertThat(status).as(err.toString()).isZero();
        assertThat(err.toString()).contains("replica 0 killed, rejoined in");
        JsonNode report = new ObjectMapper().readTree(json.toFile()).get("reports").get(0);
        JsonNode section = report.get("sections").get(0);
        assertThat(texts(section.get("rows"), "label")).containsExactly("steady state", "during recovery", "during a checkpoint");
        assertThat(section.get("ratios").get("slowest rejoin ms").asDouble()).isPositive();
        for (JsonNode row : section.get("rows")) {
            assertThat(row.get("errors").asLong()).as(row.toString()).isZero();
            assertThat(row.get("latency").get("correction").asText()).startsWith("intended start");
        }
        assertThat(report.get("checks")).anySatisfy(c -> {
            assertThat(c.get("target").asText()).isEqualTo("recovery 1 MB: client errors");
            assertThat(c.get("met").asBoolean()).isTrue();
        });
        Set<Path> left = recoveryDirectories();
        left.removeAll(before);
        if (err.toString().contains("replica logs kept in")) {
            assertThat(left).as("an unplanned fault keeps the logs it names").hasSize(1);
        } else {
            assertThat(left).as("only the planned crashes happened: the run's directory is gone").isEmpty();
        }
    }

    private static Set<Path> recoveryDirectories() throws java.io.IOException {
        try (var list = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return list.filter(p -> p.getFileName().toString().startsWith("resh-bench-recovery-"))
                    .collect(java.util.stream.Collectors.toCollection(java.util.HashSet::new));
        }
    }
}

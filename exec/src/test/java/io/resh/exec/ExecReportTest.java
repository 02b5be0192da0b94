package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resh.core.ConfigException;
import io.resh.core.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecReportTest {

    @TempDir
    Path start;
    @TempDir
    Path work;

    /** A missing directory was created, so a mistyped --report path left a stray tree behind. */
    @Test
    void shouldRefuseAReportWhoseDirectoryDoesNotExistWithoutCreatingIt() {
        Path file = start.resolve("reports/run.json");

        assertThatThrownBy(() -> ExecReport.checkTarget(file)).isInstanceOf(ConfigException.class)
                .hasMessage("--report: " + file + ": the directory " + file.getParent()
                        + " does not exist (resh does not create it)");
        assertThatThrownBy(() -> ExecReport.checkTarget(start)).isInstanceOf(ConfigException.class)
                .hasMessage("--report: " + start + " is a directory; name the report file");
        assertThat(file.getParent()).doesNotExist();
    }

    /** A link (--report /dev/stdout names resh's own output) is written through, not replaced by a file. */
    @Test
    void shouldWriteThroughALinkNamedAsTheReport() throws Exception {
        ExecOptions options = ExecRun.shell(1, "true").withStartDir(start).withWorkRoot(work);
        ExecResult result = ExecRun.of(options).result();
        Path real = start.resolve("real.json");
        Path link = Files.createSymbolicLink(start.resolve("link.json"), real);

        ExecReport.write(options, result, link);

        assertThat(link).isSymbolicLink();
        assertThat(new ObjectMapper().readTree(real.toFile()).get("verdict").asText()).isEqualTo("agreed");
        try (var left = Files.list(start)) {
            assertThat(left).as("no partial file left").hasSize(2);
        }
    }

    /** --report "$OUT" with OUT unset said "--report:  is a directory; name the report file". */
    @Test
    void shouldRefuseAnEmptyReportName() {
        assertThatThrownBy(() -> ExecReport.checkTarget(Path.of(""))).isInstanceOf(ConfigException.class)
                .hasMessage("--report: the file name is empty");
    }

    @Test
    void shouldReportReplicasCoresExitCodesDigestsAndFaults() throws Exception {
        ExecOptions options = ExecRun.shell(3,
                        "if [ \"$RESH_REPLICA\" = 1 ]; then echo bad; else echo good; fi; echo done > out.txt")
                .withOutputs(List.of(Path.of("out.txt"))).withPin(true).withStartDir(start).withWorkRoot(work);
        ExecResult result = ExecRun.of(options).result();
        Path file = start.resolve("run.json");

        ExecReport.write(options, result, file);

        JsonNode json = new ObjectMapper().readTree(Files.readString(file));
        String good = Digest.of("good\n".getBytes(StandardCharsets.UTF_8)).hex();
        String bad = Digest.of("bad\n".getBytes(StandardCharsets.UTF_8)).hex();
        assertThat(json.get("format").asInt()).isEqualTo(ExecReport.FORMAT);
        assertThat(json.get("exitCode").asInt()).isZero();
        assertThat(json.get("verdict").asText()).isEqualTo("agreed");
        assertThat(json.get("pinned").asBoolean()).isTrue();
        assertThat(json.at("/stdout/sha256").asText()).isEqualTo(good);
        JsonNode attempt = json.at("/attempts/0");
        assertThat(attempt.get("votedExitCode").asInt()).isZero();
        assertThat(attempt.get("replicas")).hasSize(3);
        for (JsonNode replica : attempt.get("replicas")) {
            int index = replica.get("index").asInt();
            assertThat(replica.get("core").asInt()).isEqualTo(result.last().replicas().get(index).core());
            assertThat(replica.get("exitCode").asInt()).isZero();
            assertThat(replica.get("durationMillis").asLong()).isNotNegative();
            assertThat(replica.at("/stdout/sha256").asText()).isEqualTo(index == 1 ? bad : good);
            assertThat(replica.at("/outputs/out.txt").asText())
                    .isEqualTo(Digest.of("done\n".getBytes(StandardCharsets.UTF_8)).hex());
        }
        assertThat(attempt.at("/outputs/0/placed").asBoolean()).isTrue();
        JsonNode fault = attempt.at("/faults/0");
        assertThat(fault.get("replica").asInt()).isEqualTo(1);
        assertThat(fault.get("kind").asText()).isEqualTo("divergence");
        assertThat(fault.get("channel").asText()).isEqualTo("stdout");
        assertThat(fault.get("offset").asLong()).isZero();
        assertThat(fault.get("core").asInt()).isEqualTo(result.last().replicas().get(1).core());
    }
}

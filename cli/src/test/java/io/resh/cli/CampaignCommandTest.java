package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `resh campaign` end to end through the real command line: a small TMR campaign writes its reports. */
@Tag("e2e")
class CampaignCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldWriteJsonAndHtmlReportsAndExitZeroForACleanTmrCampaign() throws Exception {
        Path out = dir.resolve("out");
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "kv", "--replicas", "3", "--injections", "14", "--seed", "7",
                "--requests-per-injection", "10", "--no-overhead", "--report", out.toString());
        assertThat(code).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.resolve("campaign.json").toFile());
        JsonNode records = json.get("records");
        assertThat(records).hasSize(14);
        for (JsonNode r : records) {
            assertThat(r.get("outcome").asText()).isIn("masked", "corrected");
            assertThat(r.get("wrongReplies").asInt()).isZero();
        }
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<svg").doesNotContain("<script src").doesNotContain("http://").doesNotContain("https://");
    }

    @Test
    void shouldRejectAnUnknownServiceInOneLine() {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "nosuch", "--injections", "1", "--report", dir.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("nosuch");
    }
}

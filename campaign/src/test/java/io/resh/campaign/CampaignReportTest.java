package io.resh.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CampaignReportTest {
    @TempDir
    Path dir;

    private final CampaignResult tmr = Records.result(3, Records.mixed());

    @Test
    void shouldWriteEveryInjectionToJsonAndReadItBack() throws Exception {
        CampaignReport.writeAll(tmr, dir, "resh campaign --service kv");
        Path json = dir.resolve(CampaignReport.JSON);
        assertThat(CampaignReport.readRecords(json)).isEqualTo(tmr.records());
        JsonNode doc = new ObjectMapper().readTree(json.toFile());
        assertThat(doc.get("format").asText()).isEqualTo("resh-campaign/1");
        assertThat(doc.get("seed").asLong()).isEqualTo(42);
        assertThat(doc.get("records").get(7).get("kind").asText()).isEqualTo("reply-corruption");
        assertThat(doc.get("records").get(7).get("outcome").asText()).isEqualTo("sdc");
        assertThat(doc.get("records").get(0).get("arg").asLong()).isEqualTo(17);
        assertThat(doc.get("records").get(0).get("seed").asLong()).isEqualTo(1000);
        assertThat(doc.get("records").get(0).get("sequence").asLong()).isZero();
    }

    @Test
    void shouldPutTheCoverageTableAndTheVerdictInTheJson() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(CampaignReport.json(tmr, null));
        JsonNode total = doc.get("coverage").get(doc.get("coverage").size() - 1);
        assertThat(total.get("kind").asText()).isEqualTo("total");
        assertThat(total.get("sdc").asLong()).isEqualTo(1);
        assertThat(total.get("latent").asLong()).isEqualTo(1);
        assertThat(total.get("detected").get("share").asDouble()).isCloseTo(9 / 11.0, org.assertj.core.api.Assertions.within(1e-9));
        assertThat(doc.get("acceptance").get("judged").asBoolean()).isTrue();
        assertThat(doc.get("acceptance").get("passed").asBoolean()).isFalse();
        assertThat(doc.get("acceptance").get("violations")).hasSize(2);
        assertThat(doc.get("overhead").get("latencyRatio").asDouble()).isEqualTo(1.5);
    }

    /** A campaign of one injection was "1 injections" of "1 requests each", with "1 silent data corruption(s)". */
    @Test
    void shouldCountOneOfAThingInTheSingular() {
        InjectionRecord sdc = Records.mixed().stream().filter(r -> r.outcome() == Outcome.SILENT_DATA_CORRUPTION)
                .findFirst().orElseThrow();
        CampaignConfig one = CampaignConfig.builder(ServiceKind.KV).replicas(1).injections(1).requestsPerInjection(1)
                .seed(42).build();
        CampaignResult result = new CampaignResult(one, java.time.Instant.EPOCH, java.time.Duration.ofSeconds(1),
                List.of(sdc), null, 0);

        assertThat(CampaignReport.table(result)).contains("N=1, 1 injection, seed 42, 1 request each")
                .contains("N=1 is the unreplicated control: 1 silent data corruption, 0 unavailable");
        assertThat(CampaignReport.table(tmr)).contains(tmr.records().size() + " injections, seed 42, 20 requests each");
    }

    /**
     * A KV campaign, which has one implementation, said "diverse": true because --diverse is on by default, so its
     * record claimed a design diversity the run never had.
     */
    @Test
    void shouldRecordDiversityOnlyWhereTheReplicasRanDifferentImplementations() throws Exception {
        JsonNode kv = new ObjectMapper().readTree(CampaignReport.json(tmr, null));
        assertThat(tmr.config().diverse()).as("asked for").isTrue();
        assertThat(kv.get("diverse").asBoolean()).isFalse();

        CampaignConfig aes = CampaignConfig.builder(ServiceKind.AES).replicas(3).injections(1).build();
        assertThat(aes.diverseReplicas()).isTrue();
        assertThat(CampaignConfig.builder(ServiceKind.AES).replicas(1).injections(1).build().diverseReplicas())
                .as("one replica runs one implementation").isFalse();
        assertThat(CampaignConfig.builder(ServiceKind.AES).replicas(3).injections(1).diverse(false).build()
                .diverseReplicas()).isFalse();
    }

    /** Both slow injections were masked: no effective fault, so no detected share, which is not the string "NaN". */
    @Test
    void shouldWriteAShareOfNoTrialsAsNullNotAsAString() throws Exception {
        JsonNode doc = new ObjectMapper().readTree(CampaignReport.json(tmr, null));
        JsonNode slow = null;
        for (JsonNode row : doc.get("coverage")) {
            slow = row.get("kind").asText().equals("slow") ? row : slow;
        }
        assertThat(slow).isNotNull();
        assertThat(slow.get("detected").get("trials").asLong()).isZero();
        assertThat(slow.get("detected").get("share").isNull()).as(slow.toString()).isTrue();
        assertThat(slow.get("correctedShare").get("share").isNull()).isTrue();
        assertThat(slow.get("noSdc").get("share").asDouble()).isEqualTo(1.0);
    }

    /**
     * The report was rewritten in place: a run killed while writing it, or a reader at the wrong moment, found half a
     * file. Replaced by a rename, the old file stays whole for whoever still has it (here: another link to it).
     */
    @Test
    void shouldReplaceAnEarlierReportWholeRatherThanRewriteIt() throws Exception {
        Files.writeString(dir.resolve(CampaignReport.JSON), "{\"earlier\":true}");
        Path earlier = Files.createLink(dir.resolve("earlier.json"), dir.resolve(CampaignReport.JSON));

        CampaignReport.writeAll(tmr, dir, "resh campaign --service kv");

        assertThat(earlier).hasContent("{\"earlier\":true}");
        assertThat(CampaignReport.readRecords(dir.resolve(CampaignReport.JSON))).isEqualTo(tmr.records());
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).as("no partial file left")
                    .containsExactlyInAnyOrder(CampaignReport.JSON, CampaignReport.HTML, "earlier.json");
        }
    }

    @Test
    void shouldWriteAnHtmlPageThatNeedsNothingFromTheNetwork() throws Exception {
        CampaignReport.writeAll(tmr, dir, "resh campaign --service kv");
        String html = Files.readString(dir.resolve(CampaignReport.HTML));
        assertThat(html).startsWith("<!DOCTYPE html>").contains("<style>").contains("<svg").endsWith("</html>\n");
        assertThat(html).doesNotContain("<script").doesNotContain("src=").doesNotContain("href=").doesNotContain("@import")
                .doesNotContain("url(").doesNotContain("http");
    }

    @Test
    void shouldShowTheCoverageTableTheChartsAndTheBadInjections() {
        String html = CampaignReport.html(tmr, "resh campaign --service kv");
        assertThat(html).contains("Coverage by fault kind").contains("reply-corruption").contains("state-corruption")
                .contains("Outcomes by fault kind").contains("Detection-to-recovery latency")
                .contains("Overhead without faults").contains("resh campaign --service kv");
        assertThat(html).contains("FAIL: 1 injection(s) ended sdc");
        assertThat(html).contains("Injections that were not masked or corrected (2)");
        assertThat(html).contains("81.8% [52.3, 94.9]"); // 9 of 11 effective faults detected
    }

    @Test
    void shouldEscapeWhatReplicasReported() {
        String html = CampaignReport.html(tmr, "<b>");
        assertThat(html).contains("detail &lt;7&gt; &amp; &quot;quoted&quot;").doesNotContain("detail <7>");
        assertThat(html).contains("&lt;b&gt;");
    }

    @Test
    void shouldPrintTheTableAndVerdictForTheTerminal() {
        String table = CampaignReport.table(tmr);
        assertThat(table).contains("resh campaign: kv, N=3, 13 injections, seed 42").contains("1 min 15 s");
        assertThat(table.lines().filter(l -> l.startsWith("reply-corruption"))).hasSize(2);
        assertThat(table.lines().filter(l -> l.startsWith("total")).findFirst().orElseThrow())
                .matches("total\\s+13\\s+2\\s+9\\s+0\\s+0\\s+1\\s+0\\s+1");
        assertThat(table).contains("FAIL: 1 injection(s) ended sdc").contains("1 injection(s) ended latent");
        assertThat(table).contains("the group was replaced 1 time(s)");
    }

    @Test
    void shouldCompareTheOverheadWithOneReplicaOnlyWhenThereAreMore() {
        // The latency ratio follows the one-replica latency it compares with, not the bare service's.
        assertThat(CampaignReport.table(tmr)).contains("p50 latency resh, 3 replicas 60 us, 1 replica 40 us (x1.50), bare ")
                .contains("(/2.00)");
        String control = CampaignReport.table(Records.result(1, Records.mixed()));
        assertThat(control).contains("p50 latency resh, 1 replica 40 us, bare 2.0 us").doesNotContain("(x");
    }

    /** The page gave the service called directly a rate with 32 requests outstanding: its sequential rate again. */
    @Test
    void shouldNotShowAPipelinedRateForTheServiceCalledDirectly() {
        assertThat(CampaignReport.html(tmr, null))
                .contains("<tr><td class=\"l\">service called directly</td><td>2.0</td><td>5.0</td><td>400000</td><td>—</td>")
                .contains("<tr><td class=\"l\">resh, 1 replica</td><td>40.0</td><td>90.0</td><td>20000</td><td>60000</td>");
    }

    /** The page left out the settle timeout, and a campaign run with --no-overhead just had no overhead section. */
    @Test
    void shouldShowTheSettleTimeoutAndSayWhenTheOverheadWasNotMeasured() {
        assertThat(CampaignReport.html(tmr, null)).contains("settle timeout</th><td>20000 ms")
                .doesNotContain("Not measured");
        CampaignResult unmeasured = new CampaignResult(tmr.config(), tmr.startedAt(), tmr.duration(), tmr.records(), null, 0);
        assertThat(CampaignReport.html(unmeasured, null)).contains("Not measured in this campaign");
        assertThat(CampaignReport.table(unmeasured)).contains("overhead: not measured (--no-overhead)");
        assertThat(CampaignReport.table(tmr)).doesNotContain("not measured");
    }

    @Test
    void shouldPassACleanTmrCampaign() {
        CampaignResult clean = Records.result(3, List.of(Records.of(0, io.resh.core.InjectedFault.CRASH,
                Outcome.DETECTED_CORRECTED, 3, 200)));
        assertThat(clean.violations()).isEmpty();
        assertThat(CampaignReport.table(clean)).contains("PASS");
        assertThat(CampaignReport.html(clean, null)).contains("class=\"pass\"").contains("(0)");
    }

    @Test
    void shouldReportButNotJudgeTheUnreplicatedControl() {
        CampaignResult control = Records.result(1, Records.mixed());
        assertThat(control.violations()).isEmpty();
        assertThat(CampaignReport.table(control)).contains("N=1 is the unreplicated control").contains("1 silent data corruption,");
        assertThat(CampaignReport.html(control, null)).contains("class=\"info\"");
    }
}

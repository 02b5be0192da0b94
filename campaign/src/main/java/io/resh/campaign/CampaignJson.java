package io.resh.campaign;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;
import io.resh.core.InjectedFault;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code campaign.json} format (version {@value #FORMAT}): one document with the configuration,
 * the coverage table, the overhead and every injection record. Fault kinds and outcomes are written
 * by their labels ({@code reply-corruption}, {@code sdc}).
 */
final class CampaignJson {
    static final String FORMAT = "resh-campaign/1";

    private CampaignJson() {
    }

    /** The top-level document. */
    record Document(String format, String command, String service, int replicas, int injections, long seed,
                    int requestsPerInjection, List<String> kinds, long timeoutMillis, long deadlineMillis,
                    long settleTimeoutMillis, List<String> jvmArgs, boolean diverse, String startedAt,
                    long durationMillis, int groupRestarts, List<CoverageRow> coverage, LatencySummary detectionLatency,
                    LatencySummary recoveryLatency, OverheadReport overhead, Acceptance acceptance,
                    List<InjectionRecord> records) {
    }

    /** One row of the coverage table with its three proportions. */
    record CoverageRow(String kind, long injections, long masked, long corrected, long failStop, long unrecovered,
                       long sdc, long unavailable, long latent, WilsonInterval detected, WilsonInterval correctedShare,
                       WilsonInterval noSdc) {
        static CoverageRow of(CoverageTable.Row r) {
            return new CoverageRow(r.label(), r.injections(), r.count(Outcome.MASKED), r.count(Outcome.DETECTED_CORRECTED),
                    r.count(Outcome.DETECTED_FAIL_STOP), r.count(Outcome.DETECTED_UNRECOVERED),
                    r.count(Outcome.SILENT_DATA_CORRUPTION), r.count(Outcome.UNAVAILABLE), r.count(Outcome.LATENT),
                    r.detectedShare(), r.correctedShare(), r.noSdcShare());
        }
    }

    /**
     * @param judged whether the masking criteria apply (N ≥ 3)
     * @param passed judged and met
     * @param violations what was violated
     */
    record Acceptance(boolean judged, boolean passed, List<String> violations) {
    }

    static Document document(CampaignResult result, String command) {
        CampaignConfig c = result.config();
        List<CoverageRow> rows = new ArrayList<>();
        CoverageTable table = result.coverage();
        table.rows().forEach(r -> rows.add(CoverageRow.of(r)));
        rows.add(CoverageRow.of(table.total()));
        List<String> violations = result.violations();
        boolean judged = c.replicas() >= 3;
        return new Document(FORMAT, command, c.service().label(), c.replicas(), result.records().size(), c.seed(),
                c.requestsPerInjection(), c.kinds().stream().map(InjectedFault::label).toList(),
                c.requestTimeout().toMillis(), c.deadline().toMillis(), c.settleTimeout().toMillis(), c.jvmArgs(),
                c.diverseReplicas(), result.startedAt().toString(), result.duration().toMillis(), result.groupRestarts(), rows,
                LatencySummary.of(result.records(), InjectionRecord::detectionMillis),
                LatencySummary.of(result.records(), InjectionRecord::recoveryMillis), result.overhead(),
                new Acceptance(judged, judged && violations.isEmpty(), violations), result.records());
    }

    static ObjectMapper mapper() {
        SimpleModule labels = new SimpleModule("resh-labels");
        labels.addSerializer(InjectedFault.class, new JsonSerializer<>() {
            @Override
            public void serialize(InjectedFault v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.label());
            }
        });
        labels.addDeserializer(InjectedFault.class, new JsonDeserializer<>() {
            @Override
            public InjectedFault deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                return InjectedFault.parse(p.getValueAsString());
            }
        });
        labels.addSerializer(Outcome.class, new JsonSerializer<>() {
            @Override
            public void serialize(Outcome v, JsonGenerator g, SerializerProvider p) throws IOException {
                g.writeString(v.label());
            }
        });
        labels.addDeserializer(Outcome.class, new JsonDeserializer<>() {
            @Override
            public Outcome deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
                return Outcome.parse(p.getValueAsString());
            }
        });
        return new ObjectMapper().registerModule(labels).enable(SerializationFeature.INDENT_OUTPUT)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    }
}

package io.resh.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes a finished campaign: {@code campaign.json} (every injection and its outcome, the coverage,
 * the overhead), {@code report.html} (self-contained: opens offline) and the terminal table.
 */
public final class CampaignReport {
    /** The file names written into the report directory. */
    public static final String JSON = "campaign.json";
    public static final String HTML = "report.html";

    private CampaignReport() {
    }

    /**
     * Writes both files into {@code dir} (created if missing).
     *
     * @param command the command line that ran the campaign, shown in the report; may be null
     */
    public static void writeAll(CampaignResult result, Path dir, String command) {
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(JSON), json(result, command), StandardCharsets.UTF_8);
            Files.writeString(dir.resolve(HTML), html(result, command), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the campaign report to " + dir + ": " + e.getMessage(), e);
        }
    }

    public static String json(CampaignResult result, String command) {
        try {
            return CampaignJson.mapper().writeValueAsString(CampaignJson.document(result, command));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot render the campaign as JSON", e);
        }
    }

    public static String html(CampaignResult result, String command) {
        return HtmlReport.render(result, command);
    }

    /** The coverage table, latencies, overhead and verdict as plain text. */
    public static String table(CampaignResult result) {
        return TerminalTable.render(result);
    }

    /** Reads the injection records back from a {@code campaign.json}. */
    public static List<InjectionRecord> readRecords(Path json) {
        try {
            return CampaignJson.mapper().readValue(json.toFile(), CampaignJson.Document.class).records();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read campaign records from " + json + ": " + e.getMessage(), e);
        }
    }
}

package io.resh.campaign;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
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
            replace(dir.resolve(JSON), json(result, command));
            replace(dir.resolve(HTML), html(result, command));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the campaign report to " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes {@code file} whole beside it and renames it over the old one: a reader (a CI job, a browser reloading the
     * page) sees the previous report or this one, never a half-written file, even if the run is killed while writing.
     */
    private static void replace(Path file, String text) throws IOException {
        Path partial = file.resolveSibling("." + file.getFileName() + "." + ProcessHandle.current().pid() + ".partial");
        try {
            Files.writeString(partial, text, StandardCharsets.UTF_8);
            Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(partial);
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

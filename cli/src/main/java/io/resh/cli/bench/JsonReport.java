package io.resh.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes reports as JSON: {@code {"reports": [ScenarioReport, ...]}}, field names as in the records. */
public final class JsonReport {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonReport() {
    }

    /** The JSON document for {@code reports}. */
    public static String toJson(List<ScenarioReport> reports) {
        try {
            return JSON.writeValueAsString(new Document(reports));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot serialise the benchmark report", e);
        }
    }

    public static void write(List<ScenarioReport> reports, Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, toJson(reports) + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the JSON report to " + file + ": " + e.getMessage(), e);
        }
    }

    /** The top-level JSON object. */
    record Document(List<ScenarioReport> reports) {
    }
}

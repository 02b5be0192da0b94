package io.resh.cli.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.resh.core.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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

    /**
     * Fails now, with the reason in one line, if {@link #write} could not write {@code file}: a benchmark
     * runs for a minute, and a typo in the path should not cost that minute. Leaves an existing file as it
     * is and creates no file (its missing parent directories are created, as {@link #write} would).
     *
     * @throws ConfigException naming {@code --json}, the file and what is wrong with it
     */
    public static void checkWritable(Path file) {
        if (Files.isDirectory(file)) {
            throw new ConfigException("--json", "cannot write the report to " + file + ": it is a directory");
        }
        boolean existed = Files.exists(file);
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            // Opened without truncating: an existing report stays until the new one replaces it.
            FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE).close();
            if (!existed) {
                Files.delete(file);
            }
        } catch (IOException e) {
            throw new ConfigException("--json", "cannot write the report to " + file + ": " + reason(e), e);
        }
    }

    private static String reason(IOException e) {
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e instanceof NoSuchFileException ? "no such file or directory"
                : e instanceof AccessDeniedException ? "permission denied"
                : e instanceof FileAlreadyExistsException ? "a file stands where a directory is needed"
                : e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /** The top-level JSON object. */
    record Document(List<ScenarioReport> reports) {
    }
}

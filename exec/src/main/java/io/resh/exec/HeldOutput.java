package io.resh.exec;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One channel's voted bytes held back in a temporary file under {@code --buffer}, so that a run
 * whose vote fails shows nothing; any size fits, memory stays bounded. Deleted on close.
 */
final class HeldOutput implements AutoCloseable {
    private final Path file;
    private final OutputStream stream;

    private HeldOutput(Path file, OutputStream stream) {
        this.file = file;
        this.stream = stream;
    }

    /** A fresh file under the work root (or the JVM's temporary directory). */
    static HeldOutput create(ExecOptions options, String channel) {
        Path dir = options.workRoot() != null ? options.workRoot() : Path.of(System.getProperty("java.io.tmpdir"));
        try {
            Files.createDirectories(dir);
            Path file = Files.createTempFile(dir, "resh-exec-" + channel + "-", ".held");
            file.toFile().deleteOnExit(); // also after Ctrl-C, when close() never runs
            return new HeldOutput(file, new BufferedOutputStream(Files.newOutputStream(file)));
        } catch (IOException e) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "--buffer: cannot hold the " + channel + " under "
                    + dir + ": " + e.getMessage(), e);
        }
    }

    /** Where the voted bytes go while the replicas run. */
    OutputStream stream() {
        return stream;
    }

    /** Writes everything held to {@code target}. */
    void copyTo(OutputStream target) throws IOException {
        stream.flush();
        Files.copy(file, target);
        target.flush();
    }

    @Override
    public void close() {
        try {
            stream.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left for deleteOnExit; a temporary file is no reason to fail a finished run.
        }
    }
}

package io.resh.exec;

import io.resh.core.FileErrors;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One channel's voted bytes held back in a temporary file under {@code --buffer}, so that a run
 * whose vote fails shows nothing. Memory stays bounded, and so does the disk: past the options'
 * {@code bufferLimit} bytes writing fails, which stops the run as a closed output does (nothing
 * reads the held bytes, so nothing else would ever push back on a program that keeps writing).
 * Deleted on close.
 */
final class HeldOutput implements AutoCloseable {
    private final Path file;
    private final String channel;
    private final long limit;
    private final OutputStream fileStream;
    private long held;
    private volatile boolean overflowed;

    private HeldOutput(Path file, String channel, long limit, OutputStream fileStream) {
        this.file = file;
        this.channel = channel;
        this.limit = limit;
        this.fileStream = fileStream;
    }

    /** A fresh file in {@code dir}, the run's work root, holding at most {@code limit} bytes. */
    static HeldOutput create(Path dir, String channel, long limit) {
        try {
            Path file = Files.createTempFile(dir, "resh-exec-" + channel + "-", ".held");
            file.toFile().deleteOnExit(); // also after Ctrl-C, when close() never runs
            return new HeldOutput(file, channel, limit,
                    new BufferedOutputStream(Files.newOutputStream(file)));
        } catch (IOException e) {
            throw new ExecSetupException(ExitCodes.SETUP_FAILED, "--buffer: cannot hold the " + channel + " under "
                    + dir + ": " + FileErrors.describe(e), e);
        }
    }

    /** Where the voted bytes go while the replicas run; fails once the limit would be passed. */
    OutputStream stream() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (held + len > limit) {
                    overflowed = true;
                    throw new IOException("--buffer holds at most " + limit + " bytes of " + channel);
                }
                held += len;
                fileStream.write(b, off, len);
            }

            @Override
            public void flush() throws IOException {
                fileStream.flush();
            }
        };
    }

    /** True if the voted output outgrew the limit (and the run was stopped for it). */
    boolean overflowed() {
        return overflowed;
    }

    String channel() {
        return channel;
    }

    long limit() {
        return limit;
    }

    /** Writes everything held to {@code target}. */
    void copyTo(OutputStream target) throws IOException {
        fileStream.flush();
        Files.copy(file, target);
        target.flush();
    }

    @Override
    public void close() {
        try {
            fileStream.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            // Left for deleteOnExit; a temporary file is no reason to fail a finished run.
        }
    }
}

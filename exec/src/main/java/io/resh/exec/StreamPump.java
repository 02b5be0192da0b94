package io.resh.exec;

import io.resh.core.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Reads one replica's stdout or stderr on its own thread, in chunks as they arrive, feeding a
 * {@link StreamTarget} and keeping the byte count and SHA-256 of everything the replica wrote.
 */
final class StreamPump implements Runnable {
    private static final int CHUNK = 64 * 1024;

    private final int replica;
    private final InputStream in;
    private final StreamTarget target;
    private final MessageDigest digest = Digest.sha256();
    private volatile long bytes;
    private volatile String sha256;

    StreamPump(int replica, InputStream in, StreamTarget target) {
        this.replica = replica;
        this.in = in;
        this.target = target;
    }

    @Override
    public void run() {
        byte[] buf = new byte[CHUNK];
        // When the process exits, the JDK drains what its pipe holds at that moment and closes it, unless a
        // reader holds the stream's monitor. A child that outlives the replica and writes later would then
        // lose its output whenever the exit came while this thread was between reads (voting, held back).
        // Holding the monitor for the whole loop makes the drain wait until the pipe's real end. It can't
        // cover a replica that exits before this thread first takes the monitor: that one is still drained
        // early, and what its leftover children write later is lost.
        try (InputStream stream = in) {
            synchronized (stream) {
                int n;
                while ((n = stream.read(buf)) >= 0) {
                    if (n == 0) {
                        continue;
                    }
                    digest.update(buf, 0, n);
                    bytes += n;
                    target.append(replica, buf, n);
                }
            }
        } catch (IOException e) {
            // The pipe broke because the replica was killed; it has already been excluded.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            sha256 = HexFormat.of().formatHex(digest.digest());
            target.end(replica);
        }
    }

    long bytes() {
        return bytes;
    }

    /** SHA-256 of everything the replica wrote, or null while still reading. */
    String sha256() {
        return sha256;
    }
}

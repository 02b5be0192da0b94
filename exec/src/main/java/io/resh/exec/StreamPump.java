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
        // The stream is a pipe resh owns (OutputPipe): it ends when every process holding it closed it, not when
        // the replica's main process exits, so what a child left behind writes later is read too.
        try (InputStream stream = in) {
            int n;
            while ((n = stream.read(buf)) >= 0) {
                if (n == 0) {
                    continue;
                }
                digest.update(buf, 0, n);
                bytes += n;
                target.append(replica, buf, n);
            }
        } catch (IOException e) {
            // Reading the pipe failed: the stream ends here, and the vote sees it end early if it was cut short.
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

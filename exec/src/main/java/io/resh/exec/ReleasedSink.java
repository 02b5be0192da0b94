package io.resh.exec;

import io.resh.core.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Where voted bytes of one channel go (resh's stdout or stderr), with a running SHA-256 of
 * everything shown. Used by one thread at a time (its channel's lock).
 *
 * <p>For {@code --retry}: the second attempt's voted stream starts again at byte 0, but the client
 * already has the first attempt's bytes. {@link #beginReplay()} makes the sink swallow that many
 * bytes of the new stream and check them against the digest of what was shown, so the client
 * sees every byte once and never a stream that changed under it.
 */
final class ReleasedSink {
    private final OutputStream out;
    private final MessageDigest shownDigest = Digest.sha256();
    private long shown;
    private volatile boolean broken;
    private volatile Runnable onBroken = () -> { };

    private long replayLength;
    private byte[] replayExpected;
    private MessageDigest replay;
    private long replayed;
    private boolean conflict;

    ReleasedSink(OutputStream out) {
        this.out = out;
    }

    /** Called once when writing fails (the client closed resh's output). */
    void onBroken(Runnable action) {
        this.onBroken = action;
    }

    void write(byte[] bytes) {
        int off = 0;
        if (replay != null && replayed < replayLength) {
            int n = (int) Math.min(bytes.length, replayLength - replayed);
            replay.update(bytes, 0, n);
            replayed += n;
            off = n;
            if (replayed == replayLength && !Arrays.equals(replay.digest(), replayExpected)) {
                conflict = true;
            }
        }
        if (conflict || off == bytes.length) {
            return;
        }
        shownDigest.update(bytes, off, bytes.length - off);
        shown += bytes.length - off;
        if (broken) {
            return;
        }
        try {
            out.write(bytes, off, bytes.length - off);
            out.flush();
        } catch (IOException e) {
            broken = true;
            onBroken.run();
        }
    }

    /** Starts a new attempt whose first {@link #shown()} bytes must equal what was already shown. */
    void beginReplay() {
        try {
            replayExpected = ((MessageDigest) shownDigest.clone()).digest();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 engines are cloneable", e);
        }
        replayLength = shown;
        replay = Digest.sha256();
        replayed = 0;
        conflict = false;
    }

    /**
     * True if the current attempt contradicts bytes already shown by an earlier one: it differs
     * from them, or (once {@code finished}) it ended before reaching their length.
     */
    boolean contradictsShown(boolean finished) {
        return conflict || (finished && replay != null && replayed < replayLength);
    }

    /** Bytes shown to the client across all attempts. */
    long shown() {
        return shown;
    }

    /** SHA-256 of the bytes shown, in hex. */
    String shownSha256() {
        try {
            return HexFormat.of().formatHex(((MessageDigest) shownDigest.clone()).digest());
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("SHA-256 engines are cloneable", e);
        }
    }

    boolean broken() {
        return broken;
    }
}

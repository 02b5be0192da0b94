package io.resh.exec;

import io.resh.core.Digest;
import io.resh.core.FileErrors;
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
    private final String name;
    private final MessageDigest shownDigest = Digest.sha256();
    private long shown;
    private volatile boolean broken;
    private volatile IOException failure;
    private volatile Runnable onBroken = () -> { };

    private long replayLength;
    private byte[] replayExpected;
    private MessageDigest replay;
    private long replayed;
    private boolean conflict;

    /** @param name what {@code out} is, as a line about a failed write names it: {@code resh's stdout} */
    ReleasedSink(OutputStream out, String name) {
        this.out = out;
        this.name = name;
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
            failure = e;
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

    /**
     * Why writing failed, for the run's last line, or null while it has not. A reader that went away (a closed
     * pipe, {@code | head}) closed the output; anything else, as a full disk under {@code > out.txt}, is named:
     * "resh's output was closed" sent the user looking for a reader that had never left.
     */
    String failure() {
        IOException e = failure;
        if (e == null) {
            return null;
        }
        return closedByReader(e) ? "resh's output was closed" : name + " could not be written: " + writeError(e);
    }

    /** The write's error, for a line that already names what was written. */
    static String writeError(IOException e) {
        return FileErrors.lowerCase(e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName());
    }

    /** EPIPE (the reader closed its end), EBADF (resh was started with the descriptor closed, >&-). */
    static boolean closedByReader(IOException e) {
        String message = String.valueOf(e.getMessage());
        return message.contains("Broken pipe") || message.contains("Bad file descriptor");
    }
}

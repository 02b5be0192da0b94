package io.resh.exec;

import io.resh.core.FaultKind;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * What a {@code resh exec} run did: the exit code resh should exit with, the verdict, and every
 * attempt (two with {@code --retry} after a failed vote) with its replicas, votes and faults.
 *
 * @param exitCode the voted exit code when the vote {@link Verdict#AGREED agreed}, else one of {@link ExitCodes}
 * @param verdict the outcome of the last attempt
 * @param reason one line saying why, when the vote failed; empty when it agreed
 * @param replicas the group size N
 * @param faultsMasked f, how many faulty replicas the group masks
 * @param attempts every attempt in order (one, or two with {@code --retry})
 * @param stdout what resh wrote to its stdout across attempts (byte count and SHA-256)
 * @param stderr what resh wrote to its stderr from the replicas across attempts
 */
public record ExecResult(int exitCode, Verdict verdict, String reason, int replicas, int faultsMasked,
                         List<Attempt> attempts, StreamDigest stdout, StreamDigest stderr) {

    /** What to do about a stdin file that changed under the replicas, to end a line that says so. */
    static final String STDIN_ADVICE = "give them a file nothing writes during the run, or pipe it in (resh copies"
            + " piped input once, before any replica starts)";

    public ExecResult {
        attempts = List.copyOf(attempts);
    }

    /** How a run ended. */
    public enum Verdict {
        /** f+1 replicas (both, for DMR) agreed on stdout, stderr, exit code and every output file. */
        AGREED,
        /** The replicas disagreed and no majority exists; exit {@link ExitCodes#NO_MAJORITY}. */
        NO_MAJORITY,
        /** Too few replicas finished within the timeout to form a majority; exit {@link ExitCodes#TIMED_OUT}. */
        TIMED_OUT,
        /** resh's own output was closed, so the replicas were stopped; exit {@link ExitCodes#OUTPUT_CLOSED}. */
        OUTPUT_CLOSED,
        /**
         * The replicas disagreed (even a minority against a majority), but the stdin file they read changed while
         * they ran, so they need not have read the same input: not counted as their fault, and no majority's result
         * used; exit {@link ExitCodes#SETUP_FAILED}.
         */
        INPUT_CHANGED,
        /**
         * The replicas agreed, but a voted {@code --output} file could not be placed (its directory replaced by a
         * file, a full disk): resh could not deliver their result; exit {@link ExitCodes#OUTPUT_CLOSED}, as when
         * resh's own output cannot be written.
         */
        OUTPUT_NOT_PLACED,
        /**
         * A signal (Ctrl-C, SIGTERM, a hang-up) ended resh during the run and the replicas were killed: the
         * attempt they were killed in, and the run as a whole, set by the caller that saw the signal
         * ({@link #interrupted}). Never retried.
         */
        INTERRUPTED;

        /** Lower-case name used in the report. */
        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    /**
     * One run of the whole group.
     *
     * @param stdinChanged what changed in the stdin file while the replicas ran, in one sentence naming it, or null
     */
    public record Attempt(int number, Verdict verdict, String reason, Integer votedExitCode, long durationMillis,
                          Channel stdout, Channel stderr, List<OutputFile> outputs, List<Replica> replicas,
                          List<Fault> faults, String stdinChanged) {
        public Attempt {
            outputs = List.copyOf(outputs);
            replicas = List.copyOf(replicas);
            faults = List.copyOf(faults);
        }
    }

    /**
     * One replica of one attempt.
     *
     * @param core the CPU core it was pinned to, or -1
     * @param exitCode its exit code, or null if it was killed or did not start
     * @param outputs SHA-256 of each declared output file it wrote; null value when it wrote none
     */
    public record Replica(int index, List<String> command, int core, long pid, Path workDir, Integer exitCode,
                          boolean timedOut, String startError, long durationMillis, StreamDigest stdout,
                          StreamDigest stderr, Map<String, String> outputs) {
    }

    /** A byte count and the SHA-256 (hex) of those bytes. */
    public record StreamDigest(long bytes, String sha256) {
    }

    /**
     * The vote on one output stream.
     *
     * @param voted false for stderr under {@code --ignore-stderr}
     * @param releasedBytes bytes the replicas agreed on in this attempt
     * @param retainedHighWater the most bytes the voter held at once (bounded by replica lag)
     */
    public record Channel(String name, boolean voted, boolean agreed, long releasedBytes, long retainedHighWater) {
    }

    /**
     * The vote on one declared output file.
     *
     * @param sha256 the voted content's SHA-256, or null if the majority wrote no such file
     * @param placed true if the voted copy was put at the file's path in the start directory
     * @param directory true if a replica left a directory at that path (only regular files are voted)
     */
    public record OutputFile(String file, boolean agreed, String sha256, boolean placed, boolean directory) {
    }

    /**
     * A fault resh detected in one replica, or (with "no majority" in its detail) a disagreement
     * it could not attribute.
     *
     * @param channel what it was seen on: stdout, stderr, exit, output:FILE or process
     * @param offset the byte offset for stream divergences, else -1
     */
    public record Fault(int replica, int core, FaultKind kind, String channel, long offset, String detail) {
        /** One line for the terminal; names the core when pinned, so a divergence points at a core. */
        public String describe() {
            return channel + ": " + detail + (core >= 0 ? " [replica " + replica + " ran on core " + core + "]" : "");
        }
    }

    /** This result as cut short by a signal: resh exits {@code exitCode}, for {@code reason}. */
    public ExecResult interrupted(int exitCode, String reason) {
        return new ExecResult(exitCode, Verdict.INTERRUPTED, reason, replicas, faultsMasked, attempts, stdout, stderr);
    }

    /** The last (deciding) attempt. */
    public Attempt last() {
        return attempts.get(attempts.size() - 1);
    }

    /** The faults of the last attempt. */
    public List<Fault> faults() {
        return last().faults();
    }

    /** The lines resh prints on stderr after the run: faults, retries, the verdict. */
    public List<String> notices() {
        List<String> lines = new ArrayList<>();
        for (Attempt attempt : attempts) {
            String prefix = attempts.size() > 1 ? "attempt " + attempt.number() + ": " : "";
            for (Fault fault : attempt.faults()) {
                lines.add("resh exec: " + prefix + fault.describe());
            }
            if (attempt.stdinChanged() != null && attempt.verdict() != Verdict.INPUT_CHANGED) {
                // Replicas that all agreed may have agreed on what the file no longer holds: say so, without taking
                // the voted exit code away. (Any disagreement over a changed input is input-changed instead.)
                lines.add("resh exec: " + prefix + "warning: " + attempt.stdinChanged() + ", so the replicas need"
                        + " not have read the same input; for a result of one fixed input, " + STDIN_ADVICE);
            }
            if (attempt != last()) {
                lines.add("resh exec: attempt " + attempt.number() + " failed (" + attempt.reason()
                        + "); running the group once more (--retry)");
            }
        }
        if (verdict != Verdict.AGREED) {
            lines.add("resh exec: " + reason + " (exit " + exitCode + ")");
            return lines;
        }
        for (OutputFile file : last().outputs()) {
            if (file.sha256() == null) {
                // Agreed on "no such file": exit 0 would otherwise hide a typo in the name.
                lines.add("resh exec: --output " + file.file() + ": the replicas wrote no regular file there"
                        + (file.directory() ? " (a directory is not voted)" : "") + "; nothing placed");
            }
        }
        TreeSet<Integer> faulty = new TreeSet<>();
        for (Fault fault : faults()) {
            faulty.add(fault.replica());
        }
        if (!faulty.isEmpty()) {
            lines.add("resh exec: used the majority result; faulty " + (faulty.size() == 1 ? "replica " : "replicas ")
                    + describeReplicas(faulty));
            if (faulty.size() > faultsMasked) {
                lines.add("resh exec: warning: " + faulty.size() + " replicas were faulty but " + replicas
                        + " replicas mask only " + faultsMasked + "; the result may be wrong");
            }
        }
        return lines;
    }

    private String describeReplicas(TreeSet<Integer> faulty) {
        List<String> parts = new ArrayList<>();
        for (int r : faulty) {
            int core = last().replicas().get(r).core();
            parts.add(r + (core >= 0 ? " (core " + core + ")" : ""));
        }
        return String.join(", ", parts);
    }
}

package io.resh.exec;

import io.resh.core.ConfigException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a command as N replicas and votes on what they produce: stdout and stderr as they stream
 * (released as soon as f+1 replicas agree on each byte), the exit code, and declared output files.
 * Usable as a library; the {@code resh exec} command is a thin layer over it.
 *
 * <pre>{@code
 * ExecResult result = new ExecRunner(System.out, System.err)
 *         .run(ExecOptions.replicated(3, List.of("sha256sum", "big.iso")).withTimeout(Duration.ofMinutes(5)));
 * result.notices().forEach(System.err::println);
 * System.exit(result.exitCode());
 * }</pre>
 *
 * <p>Each {@link #run} blocks until every replica finished or was killed. Voted bytes are written
 * to the given streams from the replicas' reader threads, one channel at a time, and flushed.
 */
public final class ExecRunner {
    private final OutputStream out;
    private final OutputStream err;

    /**
     * @param out where the voted stdout goes
     * @param err where the voted stderr goes (resh's own notices are returned, not written)
     */
    public ExecRunner(OutputStream out, OutputStream err) {
        this.out = out;
        this.err = err;
    }

    /**
     * What a caller should warn of before a run, in one line: here, replicas outlive a {@code kill -9} of this
     * process (setpriv is missing or refuses); empty where nothing needs saying.
     */
    public static java.util.Optional<String> launchWarning() {
        return LaunchPrefix.parentDeathMissing();
    }

    /**
     * As {@link #launchWarning()}, for a run with {@code options}: under {@code --sandbox} nothing, since bubblewrap's
     * {@code --die-with-parent} kills each replica with this process already, and the warning said the opposite.
     */
    public static java.util.Optional<String> launchWarning(ExecOptions options) {
        return options.sandbox() ? java.util.Optional.empty() : launchWarning();
    }

    /**
     * Runs the group (twice at most, with {@link ExecOptions#retry()}) and votes.
     *
     * @throws ConfigException if an option is unusable (a missing --stdin file)
     * @throws ExecSetupException if nothing could be started (missing program, bubblewrap or taskset)
     * @throws InterruptedException if interrupted; every replica is killed first
     */
    public ExecResult run(ExecOptions options) throws InterruptedException {
        ExecPlan plan = ExecPlan.prepare(options);
        if (options.buffer()) {
            return runBuffered(plan, options);
        }
        ReleasedSink outSink = new ReleasedSink(out, "resh's stdout");
        ReleasedSink errSink = new ReleasedSink(err, "resh's stderr");
        List<ExecResult.Attempt> attempts = new ArrayList<>();
        ExecResult.Attempt attempt = new GroupRun(plan, 1, outSink, errSink).run();
        attempts.add(attempt);
        if (options.retry() && retriable(attempt.verdict())) {
            outSink.beginReplay();
            if (!options.ignoreStderr()) {
                errSink.beginReplay();
            }
            attempt = new GroupRun(plan, 2, outSink, errSink).run();
            attempts.add(attempt);
        }
        return new ExecResult(exitCode(attempt), attempt.verdict(), attempt.reason(), options.replicas(),
                options.quorum().faultsMasked(), attempts,
                new ExecResult.StreamDigest(outSink.shown(), outSink.shownSha256()),
                new ExecResult.StreamDigest(errSink.shown(), errSink.shownSha256()));
    }

    /**
     * All or nothing: each attempt's voted bytes go to temporary files, which reach the real streams only
     * once the attempt's whole vote agreed. A retry therefore starts with nothing shown.
     */
    private ExecResult runBuffered(ExecPlan plan, ExecOptions options) throws InterruptedException {
        List<ExecResult.Attempt> attempts = new ArrayList<>();
        ReleasedSink shownOut = new ReleasedSink(OutputStream.nullOutputStream(), "");
        ReleasedSink shownErr = new ReleasedSink(OutputStream.nullOutputStream(), "");
        ExecResult.Attempt attempt;
        int number = 1;
        while (true) {
            try (HeldOutput heldOut = HeldOutput.create(plan.workRoot(), "stdout", options.bufferLimit());
                 HeldOutput heldErr = HeldOutput.create(plan.workRoot(), "stderr", options.bufferLimit())) {
                ReleasedSink outSink = new ReleasedSink(heldOut.stream(), "--buffer's copy of stdout");
                ReleasedSink errSink = new ReleasedSink(heldErr.stream(), "--buffer's copy of stderr");
                attempt = new GroupRun(plan, number, outSink, errSink).run();
                HeldOutput full = heldOut.overflowed() ? heldOut : heldErr.overflowed() ? heldErr : null;
                if (full != null) {
                    attempt = closedOutput(attempt, "--buffer holds at most " + size(full.limit()) + " of "
                            + full.channel() + "; the replicas wrote more and were stopped");
                } else if (attempt.verdict() == ExecResult.Verdict.AGREED) {
                    try {
                        heldOut.copyTo(out);
                        heldErr.copyTo(err);
                        shownOut = outSink;
                        shownErr = errSink;
                    } catch (IOException e) {
                        attempt = closedOutput(attempt, ReleasedSink.closedByReader(e)
                                ? "resh's output was closed while it showed the held output"
                                : "resh's output could not be written while it showed the held output: "
                                    + ReleasedSink.writeError(e));
                    }
                }
            }
            attempts.add(attempt);
            if (number == 2 || !options.retry() || !retriable(attempt.verdict())) {
                break;
            }
            number++;
        }
        return new ExecResult(exitCode(attempt), attempt.verdict(), attempt.reason(), options.replicas(),
                options.quorum().faultsMasked(), attempts,
                new ExecResult.StreamDigest(shownOut.shown(), shownOut.shownSha256()),
                new ExecResult.StreamDigest(shownErr.shown(), shownErr.shownSha256()));
    }

    private static ExecResult.Attempt closedOutput(ExecResult.Attempt a, String reason) {
        return new ExecResult.Attempt(a.number(), ExecResult.Verdict.OUTPUT_CLOSED, reason, a.votedExitCode(),
                a.durationMillis(), a.stdout(), a.stderr(), a.outputs(), a.replicas(), a.faults(), a.stdinChanged());
    }

    private static String size(long bytes) {
        if (bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        return bytes % (1L << 20) == 0 ? (bytes >> 20) + " MiB" : bytes + " bytes";
    }

    /**
     * Not {@link ExecResult.Verdict#INPUT_CHANGED}: the fault is not the replicas' but the input's, and a file still
     * being written would change under a second attempt as well.
     */
    private static boolean retriable(ExecResult.Verdict verdict) {
        return verdict == ExecResult.Verdict.NO_MAJORITY || verdict == ExecResult.Verdict.TIMED_OUT;
    }

    private static int exitCode(ExecResult.Attempt attempt) {
        switch (attempt.verdict()) {
            case AGREED:
                return attempt.votedExitCode();
            case TIMED_OUT:
                return ExitCodes.TIMED_OUT;
            case OUTPUT_CLOSED:
            case OUTPUT_NOT_PLACED:
                return ExitCodes.OUTPUT_CLOSED;
            case INPUT_CHANGED:
                return ExitCodes.SETUP_FAILED;
            default:
                return ExitCodes.NO_MAJORITY;
        }
    }
}

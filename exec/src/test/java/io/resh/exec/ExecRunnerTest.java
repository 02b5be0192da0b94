package io.resh.exec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;
import static org.awaitility.Awaitility.await;

import io.resh.core.ConfigException;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

class ExecRunnerTest {

    /** Differs only in replica 1, via the RESH_REPLICA variable resh sets for every replica. */
    private static final String ONE_BAD = "if [ \"$RESH_REPLICA\" = 1 ]; then echo bad; else echo good; fi";

    @TempDir
    Path start;
    @TempDir
    Path work;
    @TempDir
    Path shared;
    private ExecutorService background;

    @BeforeEach
    void setUp() {
        background = Executors.newSingleThreadExecutor();
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        background.shutdownNow();
        background.awaitTermination(30, TimeUnit.SECONDS);
    }

    private ExecOptions shell(int replicas, String script, String... args) {
        return ExecRun.shell(replicas, script, args).withStartDir(start).withWorkRoot(work);
    }

    @Test
    void shouldReleaseTheOutputAndExitCodeReplicasAgreeOn() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "echo hello; echo warn >&2; exit 4"));

        assertThat(run.stdout()).isEqualTo("hello\n");
        assertThat(run.stderr()).isEqualTo("warn\n");
        assertThat(run.result().exitCode()).isEqualTo(4);
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.AGREED);
        assertThat(run.result().faults()).isEmpty();
        assertThat(run.result().notices()).isEmpty();
        assertThat(run.result().last().replicas()).extracting(ExecResult.Replica::exitCode).containsExactly(4, 4, 4);
    }

    /**
     * Stdout voted by replicas 1 and 2, the exit code by 0 and 1: each part had its f+1, so the run counted as
     * agreed and exited 0, though only replica 1 produced that whole result (with N = 4, 2 against 2, a result no
     * replica produced at all).
     */
    @Test
    void shouldFindNoMajorityWhenTheVotedPartsCameFromDifferentReplicas() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "if [ \"$RESH_REPLICA\" = 0 ]; then echo extra; fi; echo ok;"
                + " exit $((RESH_REPLICA / 2))"));

        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.NO_MAJORITY);
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.result().reason()).isEqualTo("no majority: the voted parts came from different replicas"
                + " (only replica 1 produced all of them; 2 must)");
    }

    /** Two against two of four: each half had f+1 = 2, and the half that reached it first was used, with a warning. */
    @Test
    void shouldFindNoMajorityWhenTheReplicasSplitInHalves() throws Exception {
        ExecRun run = ExecRun.of(shell(4, "if [ \"$RESH_REPLICA\" -lt 2 ]; then echo a; else echo b; fi"));

        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.NO_MAJORITY);
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.result().reason()).isEqualTo("no majority: only 2 of the 4 replicas that finished produced the"
                + " whole result, and as many did not; 3 must");
    }

    /**
     * A transient disagreement after an agreed prefix: streamed, the prefix is out before the vote fails and
     * the retry's different output can't follow it; buffered, the failed attempt shows nothing.
     */
    @Test
    void shouldShowOnlyTheAgreedRetryOfABufferedRun() throws Exception {
        String script = "f=\"$1/ran-$RESH_REPLICA\"; if [ -e \"$f\" ]; then echo stable; "
                + "else touch \"$f\"; printf 'first '; echo $RESH_REPLICA; fi";

        Files.createDirectories(shared.resolve("streamed"));
        Files.createDirectories(shared.resolve("buffered"));
        ExecRun streamed = ExecRun.of(shell(3, script, shared.resolve("streamed").toString()).withRetry(true));
        ExecRun buffered = ExecRun.of(shell(3, script, shared.resolve("buffered").toString())
                .withRetry(true).withBuffer(true));

        assertThat(streamed.stdout()).isEqualTo("first ");
        assertThat(streamed.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(buffered.stdout()).isEqualTo("stable\n");
        assertThat(buffered.result().exitCode()).isZero();
        assertThat(buffered.result().attempts()).extracting(ExecResult.Attempt::verdict)
                .containsExactly(ExecResult.Verdict.NO_MAJORITY, ExecResult.Verdict.AGREED);
        assertThat(buffered.result().stdout().bytes()).isEqualTo(7);
        try (var left = Files.list(work)) {
            assertThat(left.filter(f -> f.getFileName().toString().endsWith(".held"))).as("held files").isEmpty();
        }
    }

    /** Nothing reads held output, so a program that never stops writing filled the disk under --buffer. */
    @Test
    void shouldStopABufferedRunWhoseOutputOutgrowsTheLimit() throws Exception {
        ExecRun run = ExecRun.of(ExecOptions.replicated(3, List.of("yes")).withStartDir(start).withWorkRoot(work)
                .withBufferLimit(4 << 20).withTimeout(Duration.ofSeconds(60)));

        assertThat(run.stdout()).isEmpty();
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.OUTPUT_CLOSED);
        assertThat(run.notices()).endsWith("resh exec: --buffer holds at most 4 MiB of stdout; the replicas wrote "
                + "more and were stopped (exit 141)");
        assertThat(run.result().last().replicas()).allSatisfy(r -> assertThat(r.stdout().bytes()).isLessThan(1L << 30));
        try (var left = Files.list(work)) {
            assertThat(left.filter(f -> f.getFileName().toString().endsWith(".held"))).as("held files").isEmpty();
        }
    }

    @Test
    void shouldOutvoteAndReportTheReplicaThatDiffers() throws Exception {
        ExecRun run = ExecRun.of(shell(3, ONE_BAD));

        assertThat(run.stdout()).isEqualTo("good\n");
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(1);
            assertThat(f.channel()).isEqualTo("stdout");
            assertThat(f.offset()).isZero();
            assertThat(f.kind()).isEqualTo(FaultKind.DIVERGENCE);
        });
        assertThat(run.notices()).contains("replica 1", "at byte 0", "\"good\\n\"", "676f6f640a", "\"bad\\n\"",
                "used the majority result");
    }

    @Test
    void shouldReportTheByteWhereALateMinorityDeparts() throws Exception {
        ExecRun run = ExecRun.of(shell(3,
                "echo header; if [ \"$RESH_REPLICA\" = 2 ]; then echo vaLue; else echo value; fi"));

        assertThat(run.stdout()).isEqualTo("header\nvalue\n");
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(2);
            assertThat(f.offset()).isEqualTo(9);
        });
    }

    @Test
    void shouldMaskAReplicaKilledBySigkill() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "if [ \"$RESH_REPLICA\" = 0 ]; then kill -9 $$; fi; echo survived"));

        assertThat(run.stdout()).isEqualTo("survived\n");
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().faults()).extracting(ExecResult.Fault::replica, ExecResult.Fault::channel)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple(0, "stdout"),
                        org.assertj.core.groups.Tuple.tuple(0, "exit"));
        assertThat(run.notices()).contains("replica 0 exited 137, the majority exited 0", "ended early");
    }

    /**
     * A replica that stops (here it stops itself; in use, a program reading the terminal from resh's background
     * process group is stopped by SIGTTIN) would keep resh waiting for ever without --timeout: it is killed and
     * outvoted, and the fault says what probably happened.
     */
    @Test
    @Timeout(60)
    void shouldKillAndOutvoteAReplicaThatStaysStopped() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "if [ \"$RESH_REPLICA\" = 1 ]; then kill -STOP $$; fi; echo answered"));

        assertThat(run.stdout()).isEqualTo("answered\n");
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(1);
            assertThat(f.kind()).isEqualTo(FaultKind.HANG);
            assertThat(f.detail()).isEqualTo(ProcessState.reshHasTerminal()
                    ? "replica 1 was stopped, most likely by reading the terminal (a password prompt?), which a replica"
                        + " in resh's background process group cannot; killed"
                    : "replica 1 was stopped by a signal from outside (SIGSTOP, SIGTSTP) and stayed stopped; killed");
        });
    }

    /**
     * A child in a process group of its own that reads the terminal is stopped alone, while the replica's main
     * process waits for it (state S). Here the child stops itself; the replica is killed and outvoted all the same.
     */
    @Test
    @Timeout(60)
    void shouldKillAndOutvoteAReplicaWhoseChildStaysStopped() throws Exception {
        ExecRun run = ExecRun.of(shell(3,
                "if [ \"$RESH_REPLICA\" = 2 ]; then sh -c 'kill -STOP $$'; fi; echo answered"));

        assertThat(run.stdout()).isEqualTo("answered\n");
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(2);
            assertThat(f.kind()).isEqualTo(FaultKind.HANG);
            assertThat(f.detail()).startsWith("replica 2 was stopped");
        });
    }

    @Test
    void shouldVoteOnTheExitCode() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "if [ \"$RESH_REPLICA\" = 2 ]; then exit 3; fi; exit 7"));

        assertThat(run.result().exitCode()).isEqualTo(7);
        assertThat(run.result().last().votedExitCode()).isEqualTo(7);
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(2);
            assertThat(f.channel()).isEqualTo("exit");
            assertThat(f.detail()).contains("exited 3", "majority exited 7");
        });
    }

    @Test
    void shouldFailWithTheDistinctCodeWhenDmrReplicasDiffer() throws Exception {
        ExecRun run = ExecRun.of(shell(2, ONE_BAD));

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.NO_MAJORITY);
        assertThat(run.stdout()).isEmpty();
        assertThat(run.notices()).contains("the two replicas disagree", "stdout differs at byte 0",
                "replica 1 differs from replica 0 (no majority) at byte 0", "(exit 125)");
    }

    @Test
    void shouldFailWithTheDistinctCodeWhenThreeReplicasAllDiffer() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "echo same; echo \"$RESH_REPLICA\"; exit \"$RESH_REPLICA\""));

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.stdout()).isEqualTo("same\n");
        assertThat(run.result().reason()).contains("no majority", "stdout differs at byte 5",
                "exit codes differ (replica 0: 0, replica 1: 1, replica 2: 2)");
    }

    @Test
    void shouldRetryATransientDmrMismatchOnce() throws Exception {
        // Replica 1 is wrong only the first time: it leaves a marker in a directory both runs share.
        String flaky = "echo line1; if [ \"$RESH_REPLICA\" = 1 ] && [ ! -e \"$1/marker\" ]; then touch \"$1/marker\";"
                + " echo bad; else echo line2; fi";

        ExecRun run = ExecRun.of(shell(2, flaky, shared.toString()).withRetry(true));

        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().attempts()).hasSize(2);
        assertThat(run.result().attempts().get(0).verdict()).isEqualTo(ExecResult.Verdict.NO_MAJORITY);
        // The line both agreed on in the first attempt is shown once, not twice.
        assertThat(run.stdout()).isEqualTo("line1\nline2\n");
        assertThat(run.notices()).contains("attempt 1 failed", "--retry");
        assertThat(Files.exists(shared.resolve("marker"))).isTrue();
    }

    @Test
    void shouldFailStopWhenTheRetryDisagreesAgain() throws Exception {
        ExecRun run = ExecRun.of(shell(2, ONE_BAD).withRetry(true));

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.result().attempts()).hasSize(2);
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void shouldKillAHungReplicaAtTheTimeoutAndUseTheOthers() throws Exception {
        // Replica 2 starts a child that would sleep for ten minutes and waits for it.
        String script = "if [ \"$RESH_REPLICA\" = 2 ]; then sleep 600 & echo $! > \"$1/sleeper\"; wait; fi; echo done";

        ExecRun run = ExecRun.of(shell(3, script, shared.toString()).withTimeout(Duration.ofSeconds(2)));

        assertThat(run.stdout()).isEqualTo("done\n");
        assertThat(run.result().exitCode()).isZero();
        ExecResult.Replica hung = run.result().last().replicas().get(2);
        assertThat(hung.timedOut()).isTrue();
        assertThat(hung.exitCode()).isNull();
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(2);
            assertThat(f.kind()).isEqualTo(FaultKind.HANG);
            assertThat(f.detail()).contains("--timeout 2s", "killed");
        });
        long sleeper = Long.parseLong(Files.readString(shared.resolve("sleeper")).trim());
        await().atMost(Duration.ofSeconds(10))
                .until(() -> ProcessHandle.of(sleeper).map(p -> !p.isAlive()).orElse(true));
        assertThat(ProcessHandle.of(hung.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    /**
     * A child started in a subshell leaves the replica's process tree; it was not killed with its replica at
     * the timeout, held the replica's output open and outlived resh, while the fault said "killed".
     */
    @Test
    void shouldKillAChildThatLeftTheReplicaTreeAtTheTimeout() throws Exception {
        String script = "(sleep 600 & echo $! > \"$1/orphan-$RESH_REPLICA\"); echo started; exec sleep 600";

        ExecRun run = ExecRun.of(shell(3, script, shared.toString()).withTimeout(Duration.ofSeconds(1)));

        assertThat(run.stdout()).isEqualTo("started\n");
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(run.result().faults()).extracting(ExecResult.Fault::kind).containsOnly(FaultKind.HANG);
        assertThat(run.result().last().durationMillis()).as("no wait for the orphans' pipes").isLessThan(5_000);
        for (int r = 0; r < 3; r++) {
            long orphan = Long.parseLong(Files.readString(shared.resolve("orphan-" + r)).trim());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessHandle.of(orphan).map(p -> !p.isAlive()).orElse(true));
        }
    }

    /**
     * After the deadline, resh waited 5 more seconds for a replica that had exited on its own long before but left
     * a process holding its output open, though nothing had been killed and that process was not going to finish.
     */
    @Test
    void shouldEndAtTheDeadlineWhenAReplicaThatExitedLeftItsOutputOpen() throws Exception {
        String script = "sleep 600 & echo $! > \"$1/left-$RESH_REPLICA\"; echo started";
        long begun = System.nanoTime();

        ExecRun run = ExecRun.of(shell(3, script, shared.toString()).withTimeout(Duration.ofSeconds(1)));

        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - begun);
        assertThat(millis).as("ends soon after the 1s deadline: nobody was killed at it, so no 5 s grace").isLessThan(5_500);
        assertThat(run.stdout()).isEqualTo("started\n");
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(run.result().last().replicas()).extracting(ExecResult.Replica::timedOut).containsOnly(true);
        assertThat(run.result().faults()).extracting(ExecResult.Fault::detail)
                .allSatisfy(d -> assertThat(d).contains("kept its output open past the deadline"));
        // It said "3 still running after --timeout 1s" of replicas that had all exited long before.
        assertThat(run.result().last().reason()).isEqualTo("only 0 of 3 replicas finished (3 exited, but a process"
                + " each started held its output open past --timeout 1s); 2 must agree");
        for (int r = 0; r < 3; r++) {
            long left = Long.parseLong(Files.readString(shared.resolve("left-" + r)).trim());
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> ProcessHandle.of(left).map(p -> !p.isAlive()).orElse(true));
        }
    }

    /**
     * Replicas 0 and 1 finish in time, but their readers are held back behind replica 2 until it is killed at the
     * deadline: what they left in their pipes is still read then, and they count.
     */
    @Test
    void shouldStillReadWhatFinishedReplicasLeftInTheirPipesAtTheDeadline() throws Exception {
        String script = "if [ \"$RESH_REPLICA\" = 2 ]; then exec sleep 600; fi; head -c 100000 /dev/zero";

        ExecRun run = ExecRun.of(shell(3, script).withStreamWindow(64 << 10).withTimeout(Duration.ofSeconds(1)));

        assertThat(run.result().exitCode()).isZero();
        assertThat(run.stdout()).hasSize(100_000);
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(2);
            assertThat(f.kind()).isEqualTo(FaultKind.HANG);
        });
    }

    @Test
    void shouldExitWithTheTimeoutCodeWhenTooFewReplicasFinish() throws Exception {
        String script = "if [ \"$RESH_REPLICA\" != 0 ]; then exec sleep 600; fi; echo done";

        ExecRun run = ExecRun.of(shell(3, script).withTimeout(Duration.ofMillis(1500)));

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.TIMED_OUT);
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.TIMED_OUT);
        assertThat(run.result().reason()).contains("only 1 of 3 replicas finished", "2 must agree");
        assertThat(run.stdout()).isEmpty();
    }

    @Test
    void shouldStreamAgreedOutputWhileTheReplicasStillRun() throws Exception {
        // Every replica prints a line, then waits (bounded) for the test to let it finish.
        String script = "echo first; i=0; while [ ! -e \"$1/go\" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done;"
                + " echo second";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Future<ExecResult> result = background.submit(() ->
                new ExecRunner(out, OutputStream.nullOutputStream()).run(shell(3, script, shared.toString())));

        await().atMost(Duration.ofSeconds(20)).until(() -> out.toString(StandardCharsets.UTF_8).equals("first\n"));
        assertThat(result.isDone()).isFalse();
        Files.createFile(shared.resolve("go"));

        assertThat(result.get(30, TimeUnit.SECONDS).exitCode()).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("first\nsecond\n");
    }

    /**
     * A background process that keeps writing after its parent exited lost its output at random: when the
     * parent exited while the reader was not inside read() (here: held back as the fastest replica), the
     * stream was drained and closed, and replicas 1 and 2 were read as ending early.
     */
    @Test
    void shouldReadWhatABackgroundChildWritesAfterTheReplicaExited() throws Exception {
        String waitFor = "i=0; while %s && [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done; ";
        String script = "d=\"$1\"; (" + waitFor.formatted("[ ! -e \"$d/go\" ]") + "echo late) & "
                + "if [ \"$RESH_REPLICA\" = 0 ]; then "
                // Replica 0 is the slow one: it writes only once replicas 1 and 2 are gone.
                + "  for r in 1 2; do " + waitFor.formatted(
                        "{ [ ! -s \"$d/pid-$r\" ] || kill -0 \"$(cat \"$d/pid-$r\")\" 2>/dev/null; }") + "done; "
                + "  head -c 100000 /dev/zero; touch \"$d/go\"; "
                + "else echo $$ > \"$d/pid-$RESH_REPLICA\"; head -c 100000 /dev/zero; fi";

        ExecRun run = ExecRun.of(shell(3, script, shared.toString()).withStreamWindow(64 << 10));

        assertThat(run.result().faults()).isEmpty();
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.stdout()).hasSize(100_005).endsWith("late\n");
    }

    /**
     * A replica whose main process exited before its reader thread first ran had its pipe drained and closed
     * by the JDK at that exit, so what a child it left behind wrote afterwards was lost, at random: the replica
     * was read as ending early and outvoted, or the voted stdout was cut short.
     */
    @Test
    void shouldReadEveryReplicasLateOutputEvenWhenItsMainProcessExitsAtOnce() throws Exception {
        String expected = "early\nlate\n";
        String sha256 = HexFormat.of().formatHex(Digest.sha256().digest(expected.getBytes(StandardCharsets.UTF_8)));
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        // The loss depends on thread scheduling; many short runs make it show at least once with process pipes.
        for (int attempt = 0; attempt < 20 && System.nanoTime() < until; attempt++) {
            ExecRun run = ExecRun.of(shell(5, "(sleep 0.3; echo late) & echo early"));

            assertThat(run.result().last().replicas()).as("run %d: every replica's stdout", attempt)
                    .extracting(r -> r.stdout().sha256()).containsOnly(sha256);
            assertThat(run.result().faults()).as("run %d", attempt).isEmpty();
            assertThat(run.stdout()).as("run %d", attempt).isEqualTo(expected);
        }
    }

    @Test
    void shouldFeedTheSameStdinToEveryReplica() throws Exception {
        Path input = shared.resolve("input.txt");
        Files.writeString(input, "3\n1\n2\n");

        ExecRun run = ExecRun.of(ExecOptions.replicated(3, List.of("sort", "-n")).withStdin(input)
                .withStartDir(start).withWorkRoot(work));

        assertThat(run.stdout()).isEqualTo("1\n2\n3\n");
        assertThat(run.result().last().replicas()).extracting(r -> r.stdout().sha256()).containsOnly(
                sha256("1\n2\n3\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(run.result().last().stdinChanged()).isNull();
        assertThat(run.result().notices()).isEmpty();
    }

    /**
     * A stdin file still being written (a log that grows) reached each replica as it stood when that replica read it:
     * two replicas that read it before and after an append disagreed, and resh exited 125 blaming them.
     */
    @Test
    void shouldBlameAStdinFileThatChangedUnderTheReplicasRatherThanTheReplicas() throws Exception {
        Path log = Files.writeString(shared.resolve("app.log"), "early\n");
        ExecOptions options = shell(2, READ_BEFORE_OR_AFTER_APPEND, shared.toString()).withStdin(log).withRetry(true);

        ExecRun run = appendingWhileTheyRun(options, log, 2);

        String changed = "--stdin " + log + " grew from 6 to 11 bytes while the replicas ran";
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.SETUP_FAILED);
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.INPUT_CHANGED);
        assertThat(run.result().attempts()).as("a retry would read a file still being written again").hasSize(1);
        assertThat(run.result().last().stdinChanged()).isEqualTo(changed);
        assertThat(run.notices()).endsWith("resh exec: " + changed + ", so the replicas need not have read the same"
                + " input, and their disagreement (stdout differs at byte 6) is not held against them; give them a file"
                + " nothing writes during the run, or pipe it in (resh copies piped input once, before any replica"
                + " starts) (exit 126)");
        var json = ExecReport.toJson(options, run.result());
        assertThat(json.get("verdict").asText()).isEqualTo("input-changed");
        assertThat(json.at("/attempts/0/stdinChanged").asText()).isEqualTo(changed);
    }

    /**
     * Replica 0 read the file before an append, the two others after it: resh used the majority's result and named
     * replica 0 faulty ("used the majority result; faulty replica 0"), though its input was another. Which input
     * most replicas happened to read is no vote on a fault, so this is input-changed, as when no majority agrees.
     */
    @Test
    void shouldNotBlameTheMinorityWhenTheStdinFileChangedUnderTheReplicas() throws Exception {
        Path log = Files.writeString(shared.resolve("app.log"), "early\n");

        ExecRun run = appendingWhileTheyRun(shell(3, READ_BEFORE_OR_AFTER_APPEND, shared.toString()).withStdin(log)
                .withRetry(true), log, 3);

        String changed = "--stdin " + log + " grew from 6 to 11 bytes while the replicas ran";
        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.SETUP_FAILED);
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.INPUT_CHANGED);
        assertThat(run.result().attempts()).hasSize(1);
        assertThat(run.notices()).doesNotContain("faulty").endsWith("resh exec: " + changed
                + ", so the replicas need not have read the same input, and their disagreement (replica 0's stdout"
                + " differs from the majority's at byte 6) is not held against them; give them a file nothing writes"
                + " during the run, or pipe it in (resh copies piped input once, before any replica starts) (exit 126)");
    }

    /** Replicas that agreed on a stdin file that changed meanwhile may have agreed on what it no longer holds. */
    @Test
    void shouldWarnOfAStdinFileThatChangedUnderReplicasThatAgreed() throws Exception {
        Path log = Files.writeString(shared.resolve("app.log"), "early\n");

        ExecRun run = appendingWhileTheyRun(shell(3, READ_AFTER_APPEND, shared.toString()).withStdin(log), log, 3);

        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.AGREED);
        assertThat(run.stdout()).isEqualTo("early\nlate\n");
        assertThat(run.result().faults()).isEmpty();
        assertThat(run.result().notices()).contains("resh exec: warning: --stdin " + log + " grew from 6 to 11 bytes"
                + " while the replicas ran, so the replicas need not have read the same input; for a result of one fixed"
                + " input, give them a file nothing writes during the run, or pipe it in (resh copies piped input once,"
                + " before any replica starts)");
    }

    /** Replica 0 reads its stdin at once, the others once the test appended to it (they say when they wait). */
    private static final String READ_BEFORE_OR_AFTER_APPEND = "if [ \"$RESH_REPLICA\" = 0 ]; then cat; : > \"$1/read\";"
            + " else : > \"$1/waiting-$RESH_REPLICA\"; until [ -e \"$1/appended\" ]; do sleep 0.01; done; cat; fi";

    /** Every replica reads its stdin once the test appended to it (replica 0 says "read" before it waits). */
    private static final String READ_AFTER_APPEND = "if [ \"$RESH_REPLICA\" = 0 ]; then : > \"$1/read\";"
            + " else : > \"$1/waiting-$RESH_REPLICA\"; fi; until [ -e \"$1/appended\" ]; do sleep 0.01; done; cat";

    /** Runs {@code options} and appends "late\n" to {@code log} once replica 0 read it and the others wait. */
    private ExecRun appendingWhileTheyRun(ExecOptions options, Path log, int replicas) throws Exception {
        Future<ExecRun> running = background.submit(() -> ExecRun.of(options));
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(shared.resolve("read"))
                && java.util.stream.IntStream.range(1, replicas).allMatch(r -> Files.exists(shared.resolve("waiting-" + r))));
        Files.writeString(log, "late\n", java.nio.file.StandardOpenOption.APPEND);
        Files.createFile(shared.resolve("appended"));
        return running.get(60, TimeUnit.SECONDS);
    }

    @Test
    void shouldResolveRelativeInputsAgainstTheStartDirectory() throws Exception {
        Files.writeString(start.resolve("data.txt"), "b\na\n");

        ExecRun run = ExecRun.of(ExecOptions.replicated(3, List.of("sort", "data.txt")).withStartDir(start)
                .withWorkRoot(work));

        assertThat(run.stdout()).isEqualTo("a\nb\n");
    }

    /**
     * A name the locale's character set does not hold (byte 0xff in UTF-8) was linked under the name Java decoded
     * it to, with U+FFFD in its place: the replicas found no file of the name they were given (under LC_ALL=C,
     * where no non-ASCII name is held, resh failed outright, "Malformed input", whatever the command).
     */
    @Test
    void shouldLinkEveryEntryOfTheStartDirectoryUnderItsOwnName() throws Exception {
        Process create = new ProcessBuilder("sh", "-c", "printf 'hello\\n' > \"$(printf 'bad\\377name')\"")
                .directory(start.toFile()).start();
        assertThat(create.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(create.exitValue()).isZero();

        ExecRun run = ExecRun.of(shell(3, "cat \"$(printf 'bad\\377name')\""));

        assertThat(run.stderr()).isEmpty();
        assertThat(run.result().exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("hello\n");
    }

    @Test
    void shouldVoteOutputFilesAndPlaceTheMajorityCopy() throws Exception {
        String script = "if [ \"$RESH_REPLICA\" = 1 ]; then echo wrong > out/result.txt; else echo right > out/result.txt; fi;"
                + " pwd > where.txt";

        ExecRun run = ExecRun.of(shell(3, script).withOutputs(List.of(Path.of("out/result.txt")))
                .withKeepWorkDirs(true));

        assertThat(run.result().exitCode()).isZero();
        assertThat(Files.readString(start.resolve("out/result.txt"))).isEqualTo("right\n");
        ExecResult.OutputFile voted = run.result().last().outputs().get(0);
        assertThat(voted.placed()).isTrue();
        assertThat(voted.sha256()).isEqualTo(sha256("right\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(run.result().faults()).singleElement().satisfies(f -> {
            assertThat(f.replica()).isEqualTo(1);
            assertThat(f.channel()).isEqualTo("output:out/result.txt");
            assertThat(f.detail()).contains("replica 1 wrote out/result.txt with SHA-256");
        });
        // Every replica wrote its own private copy in its own work directory.
        for (ExecResult.Replica replica : run.result().last().replicas()) {
            assertThat(Files.readString(replica.workDir().resolve("where.txt")).trim())
                    .isEqualTo(replica.workDir().toString());
            assertThat(Files.readString(replica.workDir().resolve("out/result.txt")))
                    .isEqualTo(replica.index() == 1 ? "wrong\n" : "right\n");
        }
    }

    /**
     * An output that already exists is what the command edits in place ({@code sort -o}, {@code sed -i}); it was
     * hidden from the replicas, so they failed to read it, and a nested output hid its directory's other files.
     */
    @Test
    void shouldLetTheReplicasEditAnExistingOutputInPlaceAndSeeItsNeighbours() throws Exception {
        Files.writeString(start.resolve("data.txt"), "b\na\n");
        Files.createDirectories(start.resolve("out"));
        Files.writeString(start.resolve("out/log.txt"), "first\n");
        Files.writeString(start.resolve("out/extra.txt"), "second\n");

        ExecRun run = ExecRun.of(shell(3, "sort -o data.txt data.txt && cat out/extra.txt >> out/log.txt")
                .withOutputs(List.of(Path.of("data.txt"), Path.of("out/log.txt"))));

        assertThat(run.result().exitCode()).as(run.stderr()).isZero();
        assertThat(start.resolve("data.txt")).hasContent("a\nb");
        assertThat(start.resolve("out/log.txt")).hasContent("first\nsecond");
        assertThat(start.resolve("out/extra.txt")).as("a neighbour is read, not moved").hasContent("second");
    }

    /**
     * An output that is a symbolic link is written through it, as {@code sort -o} run directly writes through it: the
     * voted copy replaced the link with a plain file and left the file the link named as it was.
     */
    @Test
    void shouldPlaceAnOutputThatIsALinkInTheFileItNames() throws Exception {
        Files.createDirectories(start.resolve("real"));
        Files.writeString(start.resolve("real/data.txt"), "b\na\n");
        Files.createSymbolicLink(start.resolve("data.txt"), Path.of("real/data.txt"));
        Files.createSymbolicLink(start.resolve("new.txt"), Path.of("made/new.txt")); // names a file still to be made

        ExecRun run = ExecRun.of(shell(3, "sort -o data.txt data.txt && echo made > new.txt")
                .withOutputs(List.of(Path.of("data.txt"), Path.of("new.txt"))));

        assertThat(run.result().exitCode()).as(run.stderr()).isZero();
        assertThat(start.resolve("data.txt")).isSymbolicLink();
        assertThat(start.resolve("real/data.txt")).hasContent("a\nb");
        assertThat(start.resolve("new.txt")).isSymbolicLink();
        assertThat(start.resolve("made/new.txt")).hasContent("made");
    }

    /** A declared output nobody wrote (a typo, a directory) used to end with exit 0 and no word about it. */
    @Test
    void shouldSayThatADeclaredOutputWasNotWritten() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "mkdir results; echo 1 > results/a.txt; echo 1 > result.txt")
                .withOutputs(List.of(Path.of("results"), Path.of("resluts.txt"), Path.of("result.txt"))));

        assertThat(run.result().exitCode()).isZero();
        assertThat(run.result().notices()).containsExactly(
                "resh exec: --output results: the replicas wrote no regular file there (a directory is not voted);"
                        + " nothing placed",
                "resh exec: --output resluts.txt: the replicas wrote no regular file there; nothing placed");
        assertThat(start.resolve("result.txt")).hasContent("1");
        assertThat(start.resolve("results")).doesNotExist();
    }

    /** Said "java.nio.file.FileAlreadyExistsException: DIR" and "java.nio.file.DirectoryNotEmptyException: ...". */
    @Test
    void shouldNameTheFileAndTheProblemWhenAFileOperationFails() throws Exception {
        Path notADirectory = Files.writeString(shared.resolve("plain-file"), "x");
        assertThatThrownBy(() -> ExecRun.of(shell(3, "true").withWorkRoot(notADirectory)))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--work-root: " + notADirectory + " is not a directory");

    }

    /**
     * A script whose #! interpreter is missing (or whose #! line ends in a Windows carriage return) failed in every
     * replica with "resh: cannot run ./tool.sh: No such file or directory", of a file that was there, and exit 2,
     * the code of an invalid option.
     */
    @Test
    void shouldRefuseAScriptWhoseInterpreterIsMissing() throws Exception {
        Path missing = Files.writeString(start.resolve("tool.sh"), "#!/nonexistent/interp -x\necho hi\n");
        Path windows = Files.writeString(start.resolve("win.sh"), "#!/bin/sh\r\necho hi\r\n");
        Path fine = Files.writeString(start.resolve("fine.sh"), "#! /bin/sh -e\necho hi\n");
        for (Path script : List.of(missing, windows, fine)) {
            Files.setPosixFilePermissions(script, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        }

        assertThatThrownBy(() -> ExecRun.of(ExecOptions.replicated(3, List.of("./tool.sh")).withStartDir(start)
                        .withWorkRoot(work)))
                .isInstanceOf(ExecSetupException.class)
                .hasMessage("cannot execute ./tool.sh: its #! interpreter /nonexistent/interp does not exist")
                .satisfies(e -> assertThat(((ExecSetupException) e).exitCode()).isEqualTo(126));
        assertThatThrownBy(() -> ExecRun.of(ExecOptions.replicated(3, List.of("./win.sh")).withStartDir(start)
                        .withWorkRoot(work)))
                .isInstanceOf(ExecSetupException.class)
                .hasMessage("cannot execute ./win.sh: its #! line ends in a carriage return, which the kernel takes as"
                        + " part of the interpreter's name (Windows line endings? dos2unix ./win.sh)");
        ExecRun run = ExecRun.of(ExecOptions.replicated(3, List.of("./fine.sh")).withStartDir(start)
                .withWorkRoot(work));
        assertThat(run.stdout()).isEqualTo("hi\n");
    }

    /**
     * Started in the work root itself (cd /tmp, --work-root .), the replicas found resh's own temporary files among
     * theirs: the copy of stdin, the output --buffer holds, so `ls` listed names that change from run to run.
     */
    @Test
    void shouldNotShowTheReplicasReshsOwnTemporaryFiles() throws Exception {
        Files.writeString(start.resolve("data.txt"), "x");
        Path stdinCopy = Files.writeString(start.resolve("resh-stdin-123.bin"), "in\n");

        ExecRun run = ExecRun.of(ExecRun.shell(3, "ls; cat").withStartDir(start).withWorkRoot(start)
                .withStdin(stdinCopy).withBuffer(true));

        assertThat(run.result().exitCode()).as(run.stderr()).isZero();
        assertThat(run.stdout()).isEqualTo("data.txt\nin\n");
    }

    /**
     * An output that could not be placed in the start directory (a directory there, a file on its way) ran the
     * replicas, which agreed, and then failed as "no majority", exit 125.
     */
    @Test
    void shouldRefuseAnOutputThatCouldNotBePlacedBeforeRunning() throws Exception {
        Files.createDirectories(start.resolve("out.txt").resolve("occupied"));
        Files.writeString(start.resolve("data.txt"), "x");
        Path ran = shared.resolve("ran");

        assertThatThrownBy(() -> ExecRun.of(shell(3, "touch \"$1\"; echo 1 > out.txt", ran.toString())
                        .withOutputs(List.of(Path.of("out.txt")))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--output: 'out.txt' is a directory here; only a regular file is voted and placed");
        assertThatThrownBy(() -> ExecRun.of(shell(3, "touch \"$1\"; mkdir -p data.txt; echo 1 > data.txt/x",
                        ran.toString()).withOutputs(List.of(Path.of("data.txt/x")))))
                .isInstanceOf(ConfigException.class)
                .hasMessage("--output: 'data.txt/x': data.txt is a file here, not a directory, so the voted copy could"
                        + " not be placed");
        assertThat(ran).as("no replica ran").doesNotExist();
    }

    @Test
    void shouldNotPlaceOutputsWhenTheVoteFails() throws Exception {
        ExecRun run = ExecRun.of(shell(2, "echo \"$RESH_REPLICA\" > out.txt")
                .withOutputs(List.of(Path.of("out.txt"))));

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.result().reason()).contains("output out.txt differs");
        assertThat(start.resolve("out.txt")).doesNotExist();
    }

    /**
     * A voted output that could not be placed after the replicas agreed (its directory replaced by a file during the
     * run, a directory in its place, a full disk) ended as "no majority", exit 125, as if the replicas had disagreed.
     */
    @Test
    void shouldSayTheReplicasAgreedWhenTheVotedOutputCouldNotBePlaced() throws Exception {
        Files.createDirectories(start.resolve("out"));
        Path here = start.toRealPath();

        ExecOptions replaced = shell(3, "echo right > out/result.txt; if [ \"$RESH_REPLICA\" = 0 ]; then"
                + " rm -r \"$1/out\" && : > \"$1/out\"; fi", here.toString()).withOutputs(List.of(Path.of("out/result.txt")));
        ExecRun run = ExecRun.of(replaced);

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.OUTPUT_CLOSED);
        assertThat(run.result().verdict()).isEqualTo(ExecResult.Verdict.OUTPUT_NOT_PLACED);
        assertThat(run.result().faults()).isEmpty();
        assertThat(run.result().last().outputs()).singleElement().satisfies(o -> {
            assertThat(o.agreed()).isTrue();
            assertThat(o.placed()).isFalse();
        });
        assertThat(run.notices()).isEqualTo("resh exec: --output out/result.txt: the replicas agreed, but the voted copy"
                + " could not be placed: " + here.resolve("out") + ": already exists and is not a directory (exit 141)");
        assertThat(ExecReport.toJson(replaced, run.result()).get("verdict").asText()).isEqualTo("output-not-placed");

        ExecRun kept = ExecRun.of(shell(3, "echo right > data.txt; if [ \"$RESH_REPLICA\" = 0 ]; then"
                + " mkdir -p \"$1/data.txt/inside\"; fi", here.toString())
                .withOutputs(List.of(Path.of("data.txt"))).withKeepWorkDirs(true));

        assertThat(kept.result().exitCode()).isEqualTo(ExitCodes.OUTPUT_CLOSED);
        Path copy = kept.result().last().replicas().get(0).workDir().resolve("data.txt");
        assertThat(kept.notices()).isEqualTo("resh exec: --output data.txt: the replicas agreed, but the voted copy"
                + " could not be placed: " + here.resolve("data.txt") + ": is a directory that is not empty; it is kept"
                + " in " + copy + " (exit 141)");
        assertThat(copy).hasContent("right");
    }

    @Test
    void shouldRunDiverseVersionsAndOutvoteTheWrongOne() throws Exception {
        Files.writeString(start.resolve("data.txt"), "10\n9\n100\n");
        ExecOptions options = ExecOptions.versions(List.of("sort -n data.txt", "sort data.txt", "sort -g data.txt"))
                .withStartDir(start).withWorkRoot(work);

        ExecRun run = ExecRun.of(options);

        assertThat(run.stdout()).isEqualTo("9\n10\n100\n");
        assertThat(run.result().faults()).singleElement().satisfies(f -> assertThat(f.replica()).isEqualTo(1));
        assertThat(run.result().last().replicas().get(1).command()).containsExactly("sh", "-c", "sort data.txt");
    }

    @Test
    void shouldIgnoreStderrWhenAsked() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "echo \"noise $RESH_REPLICA\" >&2; echo out").withIgnoreStderr(true));

        assertThat(run.result().exitCode()).isZero();
        assertThat(run.stdout()).isEqualTo("out\n");
        assertThat(run.stderr()).isEqualTo("noise 0\n");
        assertThat(run.result().last().stderr().voted()).isFalse();
        assertThat(run.result().faults()).isEmpty();
    }

    @Test
    void shouldVoteOnStderrByDefault() throws Exception {
        ExecRun run = ExecRun.of(shell(3, "echo \"noise $RESH_REPLICA\" >&2; echo out"));

        assertThat(run.result().exitCode()).isEqualTo(ExitCodes.NO_MAJORITY);
        assertThat(run.result().reason()).contains("stderr differs at byte 6");
    }

    @Test
    void shouldSayWhenTheCommandDoesNotExist() {
        ExecOptions options = ExecOptions.replicated(3, List.of("no-such-program-anywhere")).withStartDir(start);

        assertThatThrownBy(() -> ExecRun.of(options)).isInstanceOf(ExecSetupException.class)
                .hasMessage("command not found: no-such-program-anywhere")
                .satisfies(e -> assertThat(((ExecSetupException) e).exitCode()).isEqualTo(ExitCodes.NOT_FOUND));
    }

    /** Was "command not found: ./tool.sh (not an executable file)" with 127, the code of a missing program. */
    @Test
    void shouldSayThatAProgramThatExistsCannotBeExecuted() throws Exception {
        Files.writeString(start.resolve("tool.sh"), "#!/bin/sh\necho tool\n");
        Files.createDirectories(start.resolve("tools"));

        assertThatThrownBy(() -> ExecRun.of(ExecOptions.replicated(3, List.of("./tool.sh")).withStartDir(start)))
                .isInstanceOf(ExecSetupException.class)
                .hasMessage("cannot execute ./tool.sh: not an executable file (chmod +x ./tool.sh?)")
                .satisfies(e -> assertThat(((ExecSetupException) e).exitCode()).isEqualTo(126));
        assertThatThrownBy(() -> ExecRun.of(ExecOptions.replicated(3, List.of("./tools")).withStartDir(start)))
                .hasMessage("cannot execute ./tools: is a directory")
                .satisfies(e -> assertThat(((ExecSetupException) e).exitCode()).isEqualTo(126));
    }

    @Test
    void shouldRunAProgramGivenByARelativePath() throws Exception {
        Path script = start.resolve("tool.sh");
        Files.writeString(script, "#!/bin/sh\necho tool \"$1\"\n");
        script.toFile().setExecutable(true);

        ExecRun run = ExecRun.of(ExecOptions.replicated(3, List.of("./tool.sh", "x")).withStartDir(start)
                .withWorkRoot(work).withLinkStartDir(false));

        assertThat(run.stdout()).isEqualTo("tool x\n");
    }

    @Test
    void shouldDeleteTheWorkDirectoriesAfterTheRun() throws Exception {
        ExecRun.of(shell(3, "echo hi > scratch.txt"));

        try (var left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
        assertThat(start.resolve("scratch.txt")).doesNotExist();
    }

    /**
     * A directory a replica left without write permission (a Go module cache, chmod -R a-w), or unreadable, kept
     * its entries and itself: the whole resh-exec-* directory stayed behind. Root may delete there regardless, so
     * this shows only for other users.
     */
    @Test
    void shouldDeleteWhatAReplicaLeftReadOnly() throws Exception {
        Path probe = Files.createDirectory(shared.resolve("read-only"));
        probe.toFile().setWritable(false, false);
        assumeFalse(Files.isWritable(probe), "running as root, who may delete in a read-only directory anyway");

        ExecRun run = ExecRun.of(shell(3, "mkdir -p cache/mod locked/in && touch cache/mod/f locked/in/g"
                + " && chmod -R a-w cache && chmod 000 locked && echo ok"));

        assertThat(run.stdout()).isEqualTo("ok\n");
        try (var left = Files.list(work)) {
            assertThat(left).isEmpty();
        }
    }

    @Test
    void shouldStopTheReplicasWhenReshOutputIsClosed() throws Exception {
        // Like 'resh exec -- yes | head -1': the reader went away, and 'yes' would never end on its own.
        OutputStream closed = new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                throw new IOException("Broken pipe");
            }
        };

        ExecResult result = new ExecRunner(closed, OutputStream.nullOutputStream()).run(shell(3, "exec yes"));

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OUTPUT_CLOSED);
        assertThat(result.verdict()).isEqualTo(ExecResult.Verdict.OUTPUT_CLOSED);
        assertThat(result.faults()).as("replicas stopped by resh are not faulty").isEmpty();
        for (ExecResult.Replica replica : result.last().replicas()) {
            assertThat(ProcessHandle.of(replica.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    /**
     * stdout on a full disk (here /dev/full, which fails every write with ENOSPC) was reported as "resh's output was
     * closed", sending the user looking for a reader that had never gone away.
     */
    @Test
    void shouldNameTheErrorWhenReshOutputCannotBeWritten() throws Exception {
        Path full = Path.of("/dev/full");
        assumeTrue(Files.isWritable(full), "needs /dev/full");

        ExecResult result;
        try (OutputStream out = new java.io.FileOutputStream(full.toFile())) {
            result = new ExecRunner(out, OutputStream.nullOutputStream()).run(shell(3, "exec yes"));
        }

        assertThat(result.exitCode()).isEqualTo(ExitCodes.OUTPUT_CLOSED);
        assertThat(result.reason()).isEqualTo("resh's stdout could not be written: no space left on device; the"
                + " replicas were stopped");
        for (ExecResult.Replica replica : result.last().replicas()) {
            assertThat(ProcessHandle.of(replica.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        }
    }

    /**
     * 100 MiB through three replicas: the voted bytes and their digest are exact, and the voter
     * never held more than a small window of them.
     */
    @Test
    @Tag("e2e")
    void shouldStreamALargeOutputWithoutHoldingIt() throws Exception {
        long size = 100L << 20;
        String line = "0123456789abcdef\n";
        DigestingSink sink = new DigestingSink();

        ExecResult result = new ExecRunner(sink, OutputStream.nullOutputStream())
                .run(shell(3, "yes 0123456789abcdef | head -c " + size));

        assertThat(result.exitCode()).isZero();
        assertThat(sink.bytes).isEqualTo(size);
        assertThat(result.stdout().bytes()).isEqualTo(size);
        String expected = expectedSha256(line, size);
        assertThat(sink.sha256()).isEqualTo(expected);
        assertThat(result.stdout().sha256()).isEqualTo(expected);
        assertThat(result.last().replicas()).extracting(r -> r.stdout().sha256()).containsOnly(expected);
        assertThat(result.last().stdout().retainedHighWater())
                .as("bytes the voter held at once").isLessThan(32L << 20);
    }

    private static String expectedSha256(String line, long size) {
        MessageDigest sha = Digest.sha256();
        byte[] block = line.repeat(4096).getBytes(StandardCharsets.US_ASCII);
        long left = size;
        while (left > 0) {
            int n = (int) Math.min(block.length, left);
            sha.update(block, 0, n);
            left -= n;
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static String sha256(byte[] data) {
        return Digest.of(data).hex();
    }

    /** Counts and digests what it is given; keeps none of it. */
    private static final class DigestingSink extends OutputStream {
        private final MessageDigest sha = Digest.sha256();
        private long bytes;

        @Override
        public void write(int b) {
            sha.update((byte) b);
            bytes++;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            sha.update(b, off, len);
            bytes += len;
        }

        String sha256() {
            return HexFormat.of().formatHex(sha.digest());
        }
    }
}

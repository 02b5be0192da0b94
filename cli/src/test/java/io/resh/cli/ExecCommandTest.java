package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class ExecCommandTest {

    @TempDir
    Path work;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int exec(String stdin, String... args) {
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        String[] all = new String[args.length + 2];
        all[0] = "--work-root";
        all[1] = work.toString();
        System.arraycopy(args, 0, all, 2, args.length);
        return new CommandLine(new ExecCommand(in, out, err, false)).execute(all);
    }

    /** As {@link #exec}, without a --work-root of the test's. */
    private int execHere(String stdin, String... args) {
        InputStream in = new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8));
        return new CommandLine(new ExecCommand(in, out, err, false)).execute(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }

    /** `tail -f log | resh exec ...` kept resh reading, and filling the temporary directory, without a word. */
    @Test
    void shouldSayThatTheReplicasWaitForStdinThatHasNotEnded() throws Exception {
        PipedOutputStream feed = new PipedOutputStream();
        ExecCommand exec = new ExecCommand(new PipedInputStream(feed, 1 << 16), out, err, false);
        exec.stdinNotice = Duration.ofSeconds(2); // long enough that the 3000 bytes are copied before it
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> new CommandLine(exec)
                .execute("--work-root", work.toString(), "-n", "2", "--", "wc", "-c"));
        feed.write(new byte[3000]);
        feed.flush();

        await().atMost(Duration.ofSeconds(20)).until(() -> stderr().contains("still reading stdin"));
        assertThat(stderr()).isEqualTo("resh exec: still reading stdin (3000 bytes so far, at most 1GiB, --max-stdin): the replicas start once it"
                + " ends; for input that never ends (tail -f, yes) give --stdin FILE or --no-stdin\n");
        assertThat(run).isNotDone();
        feed.close();

        assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(stdout().strip()).isEqualTo("3000");
    }

    /** resh waited, without a word, for a writer to open a --stdin FIFO: the open itself blocks until then. */
    @Test
    void shouldSayThatItWaitsForAWriterOfAStdinFifo(@TempDir Path dir) throws Exception {
        Path fifo = dir.resolve("in.fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        ExecCommand exec = new ExecCommand(new ByteArrayInputStream(new byte[0]), out, err, false);
        exec.stdinNotice = Duration.ofMillis(300);
        CompletableFuture<Integer> run = CompletableFuture.supplyAsync(() -> new CommandLine(exec)
                .execute("--work-root", work.toString(), "--stdin", fifo.toString(), "-n", "2", "--", "cat"));

        await().atMost(Duration.ofSeconds(20)).until(() -> stderr().contains("still waiting"));
        assertThat(stderr()).isEqualTo("resh exec: still waiting for something to write to --stdin " + fifo
                + ": the replicas start once it was written and closed\n");
        try (var writer = Files.newOutputStream(fifo)) {
            writer.write("fed\n".getBytes(StandardCharsets.UTF_8));
        }

        assertThat(run.get(60, TimeUnit.SECONDS)).isZero();
        assertThat(stdout()).isEqualTo("fed\n");
        assertThat(stdinCopies(work)).as("the copy of the FIFO is deleted").isEmpty();
    }

    @Test
    void shouldPrintTheVotedOutputAndExitWithTheVotedCode() {
        int code = exec("", "-n", "3", "--", "sh", "-c", "echo hi; exit 3");

        assertThat(code).isEqualTo(3);
        assertThat(stdout()).isEqualTo("hi\n");
        assertThat(stderr()).isEmpty();
    }

    @Test
    void shouldTreatWordsAfterTheCommandAsItsOwnArguments() {
        int code = exec("", "-n", "3", "printf", "%s-%s\\n", "-n", "x");

        assertThat(code).isZero();
        assertThat(stdout()).isEqualTo("-n-x\n");
    }

    @Test
    void shouldFeedReshStdinToEveryReplica() {
        int code = exec("b\na\n", "-n", "3", "--", "sort");

        assertThat(code).isZero();
        assertThat(stdout()).isEqualTo("a\nb\n");
    }

    /** `yes | resh exec -- head -1` copied stdin until the temporary directory was full, and only then ran. */
    @Test
    void shouldStartNothingWhenStdinPassesMaxStdin(@TempDir Path dir) throws Exception {
        Path ran = dir.resolve("ran");

        int code = exec("x".repeat(4096), "--max-stdin", "1KiB", "-n", "3", "--", "touch", ran.toString());

        assertThat(code).isEqualTo(126);
        assertThat(stderr()).isEqualTo("resh exec: stdin passed --max-stdin 1KiB before it ended; nothing was started"
                + " (raise --max-stdin, or give a regular file with --stdin FILE)\n");
        assertThat(ran).as("no replica ran").doesNotExist();
        assertThat(stdinCopies(work)).as("the copy of stdin is deleted").isEmpty();
    }

    @Test
    void shouldFeedStdinThatEndsRightAtMaxStdin() throws Exception {
        int code = exec("x".repeat(1024), "--max-stdin", "1KiB", "-n", "3", "--", "wc", "-c");

        assertThat(code).as(stderr()).isZero();
        assertThat(stdout().strip()).isEqualTo("1024");
        assertThat(stdinCopies(work)).isEmpty();
    }

    @Test
    void shouldRefuseAMaxStdinThatIsNoPositiveSize(@TempDir Path dir) {
        Path ran = dir.resolve("ran");

        assertThat(exec("input", "--max-stdin", "0", "--", "touch", ran.toString())).isEqualTo(2);
        assertThat(exec("input", "--max-stdin", "-1", "--", "touch", ran.toString())).isEqualTo(2);
        assertThat(exec("input", "--max-stdin", "lots", "--", "touch", ran.toString())).isEqualTo(2);

        assertThat(stderr()).isEqualTo("resh exec: --max-stdin: expected a positive size, got 0; for an empty stdin give"
                + " --no-stdin\n"
                + "resh exec: --max-stdin: expected a size like 65536, 64KiB, 16MiB or 1GiB, got '-1'\n"
                + "resh exec: --max-stdin: expected a size like 65536, 64KiB, 16MiB or 1GiB, got 'lots'\n");
        assertThat(ran).doesNotExist();
    }

    /**
     * A temporary directory that could not take the copy of stdin gave "cannot store stdin for the replicas: File
     * too large", naming no directory. The file-size limit (ulimit -f) fails the copy's writes as a full disk
     * would, with EFBIG instead of ENOSPC.
     */
    @Test
    void shouldNameTheDirectoryThatCouldNotTakeStdin(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path ran = dir.resolve("ran");

        Ran resh = reshFromShell(dir, null, "ulimit -f 1024 && head -c 4000000 /dev/zero | exec \"$@\"",
                "-Djava.io.tmpdir=" + tmp, "--", "touch", ran.toString());

        assertThat(resh.exit()).as(resh.stderr()).isEqualTo(126);
        assertThat(resh.stderr()).matches("resh exec: cannot store stdin for the replicas in " + Pattern.quote(tmp.toString())
                + " after \\d+KiB: file too large; nothing was started\n");
        assertThat(ran).as("no replica ran").doesNotExist();
        assertThat(stdinCopies(tmp)).isEmpty();
    }

    /**
     * A stdin that failed to read was reported as a temporary directory that could not store it, and then as "cannot
     * read stdin: Input/output error", which did not say how far the input had got.
     */
    @Test
    void shouldSayThatStdinCouldNotBeReadRatherThanStored(@TempDir Path dir) throws Exception {
        InputStream failing = new InputStream() {
            private boolean gave;

            @Override
            public int read() throws IOException {
                throw new IOException("Input/output error");
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                if (gave) {
                    throw new IOException("Input/output error");
                }
                gave = true;
                Arrays.fill(buffer, offset, offset + 3000, (byte) 'x');
                return 3000;
            }
        };
        Path ran = dir.resolve("ran");

        int code = new CommandLine(new ExecCommand(failing, out, err, false))
                .execute("--work-root", work.toString(), "--", "touch", ran.toString());

        assertThat(code).isEqualTo(126);
        assertThat(stderr()).isEqualTo("resh exec: cannot read stdin after 3000 bytes: input/output error; nothing was"
                + " started\n");
        assertThat(ran).as("no replica ran").doesNotExist();
        assertThat(stdinCopies(work)).as("the partial copy is deleted").isEmpty();
    }

    /** The shell opens a directory for reading, and the kernel fails the read: a real read error on resh's stdin. */
    @Test
    void shouldStartNothingWhenReshStdinFailsToRead(@TempDir Path dir) throws Exception {
        Path tmp = Files.createDirectory(dir.resolve("tmp"));
        Path ran = dir.resolve("ran");

        Ran resh = reshFromShell(dir, null, "exec \"$@\" < '" + dir + "'", "-Djava.io.tmpdir=" + tmp, "--", "touch",
                ran.toString());

        assertThat(resh.exit()).as(resh.stderr()).isEqualTo(126);
        assertThat(resh.stderr()).isEqualTo("resh exec: cannot read stdin after 0 bytes: is a directory; nothing was"
                + " started\n");
        assertThat(ran).as("no replica ran").doesNotExist();
        assertThat(stdinCopies(tmp)).isEmpty();
    }

    /**
     * A --stdin stream that failed to read exited 2, as an invalid option, though the option was fine: the input was
     * not. An unattached TUN device opens, then fails every read (EBADFD), as a faulty device would.
     */
    @Test
    void shouldStartNothingWhenAStdinStreamFailsToRead(@TempDir Path dir) throws Exception {
        Path tun = Path.of("/dev/net/tun");
        assumeTrue(Files.isReadable(tun), "no readable /dev/net/tun");
        Path ran = dir.resolve("ran");

        int code = exec("", "--stdin", tun.toString(), "--", "touch", ran.toString());

        assertThat(code).as(stderr()).isEqualTo(126);
        assertThat(stderr()).isEqualTo("resh exec: cannot read --stdin /dev/net/tun after 0 bytes: file descriptor in"
                + " bad state; nothing was started\n");
        assertThat(ran).as("no replica ran").doesNotExist();
        assertThat(stdinCopies(work)).isEmpty();
    }

    /** A full disk said only "No space left on device": not where, nor what to do. */
    @Test
    void shouldSayWhereTheDiskIsFullAndWhatToDo() {
        Path tmp = Path.of("/var/tmp");
        String hint = "; nothing was started (free space there, give --work-root DIR on another file system, or give a"
                + " regular file with --stdin FILE)";

        assertThat(ExecCommand.cannotStore(tmp, 12 << 20, new IOException("No space left on device")))
                .isEqualTo("cannot store stdin for the replicas in /var/tmp after 12MiB: no space left on device" + hint);
        assertThat(ExecCommand.cannotStore(tmp, 0, new FileSystemException("/var/tmp/resh-stdin-1.bin", null,
                "No space left on device")))
                .isEqualTo("cannot store stdin for the replicas in /var/tmp: no space left on device" + hint);
        assertThat(ExecCommand.cannotStore(tmp, 0, new AccessDeniedException("/var/tmp/resh-stdin-1.bin")))
                .isEqualTo("cannot store stdin for the replicas in /var/tmp: /var/tmp/resh-stdin-1.bin: permission"
                        + " denied; nothing was started");
    }

    private static List<Path> stdinCopies(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().startsWith("resh-stdin-")).toList();
        }
    }

    /** A pipe or a device is readable but not a regular file; it was refused as "not a readable file". */
    @Test
    void shouldFeedAPipeOrADeviceGivenAsStdin(@TempDir Path dir) throws Exception {
        assertThat(exec("", "--stdin", "/dev/null", "-n", "3", "--", "wc", "-c")).isZero();
        assertThat(stdout().trim()).isEqualTo("0");

        Path fifo = dir.resolve("fifo");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, "b\na\n"); // blocks until resh opens the FIFO for reading
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.setDaemon(true); // never holds the test JVM if resh did not open the FIFO
        writer.start();
        out.reset();
        int code = exec("", "--stdin", fifo.toString(), "-n", "3", "--", "sort");
        writer.join(10_000);

        assertThat(code).as(stderr()).isZero();
        assertThat(stdout()).isEqualTo("a\nb\n");
    }

    @Test
    void shouldReportTheOutvotedReplicaOnStderr() {
        int code = exec("", "-n", "3", "--", "sh", "-c",
                "if [ \"$RESH_REPLICA\" = 1 ]; then echo bad; else echo good; fi");

        assertThat(code).isZero();
        assertThat(stdout()).isEqualTo("good\n");
        assertThat(stderr()).contains("resh exec: stdout: replica 1 differs from the voted output at byte 0");
    }

    @Test
    void shouldExitWithTheDistinctCodeOnADmrMismatch() {
        int code = exec("", "-n", "2", "--", "sh", "-c", "echo $RESH_REPLICA");

        assertThat(code).isEqualTo(125);
        assertThat(stderr()).contains("the two replicas disagree", "(exit 125)");
    }

    @Test
    void shouldRunNVersionsAndWriteTheReport(@TempDir Path dir) throws Exception {
        Path report = dir.resolve("report.json");

        int code = exec("", "--report", report.toString(), "--version", "echo 4", "--version", "expr 2 + 2",
                "--version", "echo $((2 * 2))");

        assertThat(code).isZero();
        assertThat(stdout()).isEqualTo("4\n");
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("nVersion").asBoolean()).isTrue();
        assertThat(json.at("/attempts/0/replicas/1/command/2").asText()).isEqualTo("expr 2 + 2");
    }

    @Test
    void shouldShowNothingOfABatchWithoutMajorityUnderBuffer(@TempDir Path dir) throws Exception {
        // All three print the same first word, then their own number: f+1 agree on "result " only.
        String script = "printf 'result '; echo $RESH_REPLICA";
        Path report = dir.resolve("report.json");

        int code = exec("", "--buffer", "--report", report.toString(), "-n", "3", "--", "sh", "-c", script);

        assertThat(code).isEqualTo(125);
        assertThat(stdout()).as("no byte of a run whose vote failed").isEmpty();
        assertThat(stderr()).contains("resh exec: no majority: stdout differs at byte 7 (exit 125)");
        JsonNode json = new ObjectMapper().readTree(Files.readString(report));
        assertThat(json.get("buffered").asBoolean()).isTrue();
        assertThat(json.at("/stdout/bytes").asLong()).as("shown").isZero();
        assertThat(json.at("/attempts/0/stdout/releasedBytes").asLong()).as("agreed").isEqualTo(7);
    }

    @Test
    void shouldShowTheMajorityOutputAfterTheVoteUnderBuffer() {
        int code = exec("", "--buffer", "-n", "3", "--", "sh", "-c",
                "if [ \"$RESH_REPLICA\" = 1 ]; then echo bad; else echo good; fi; echo note >&2; exit 3");

        assertThat(code).isEqualTo(3);
        assertThat(stdout()).isEqualTo("good\n");
        assertThat(stderr()).startsWith("note\n").contains("resh exec: used the majority result; faulty replica 1");
    }

    @Test
    void shouldRejectConflictingOptionsWithTheUsageCode() {
        assertThat(exec("", "-n", "2", "--version", "a", "--version", "b", "--version", "c")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("resh exec: --replicas: expected 3, one per --version (or leave -n out), got 2\n");
    }

    @Test
    void shouldRejectAReplicaCountPastTheLimitAsABadOption() {
        assertThat(exec("", "-n", "100000", "--", "true")).isEqualTo(2);
        assertThat(stderr()).isEqualTo("resh exec: --replicas: expected 1 to 64, got 100000\n");
    }

    /** The file system's exception carried only the path: "cannot write the report to /proc/r.json: /proc/r.json". */
    @Test
    void shouldSayWhyTheReportCouldNotBeWrittenAndKeepTheVotedExitCode() {
        int code = exec("", "--report", "/proc/r.json", "-n", "3", "--", "sh", "-c", "echo hi; exit 3");

        assertThat(code).as("the replicas' code: the report is not the command's result").isEqualTo(3);
        assertThat(stdout()).isEqualTo("hi\n");
        assertThat(stderr()).isEqualTo("resh exec: --report: cannot write the report: /proc/r.json: no such file or"
                + " directory\n");
    }

    /**
     * A write that failed partway (a full disk; here a file size limit, ulimit -f) left a truncated report in
     * place of the earlier one, and the line said only "cannot write the report: File too large", naming no file.
     */
    @Test
    void shouldLeaveNoHalfWrittenReportWhenTheWriteFails(@TempDir Path dir) throws Exception {
        Path report = Files.writeString(dir.resolve("r.json"), "{\"verdict\": \"an earlier run's\"}\n");
        List<String> command = new ArrayList<>(List.of("sh", "-c", "ulimit -f 1 && exec \"$@\"", "sh"));
        // No perf data file: it is the JVM's own file, and the limit is for the report.
        command.addAll(ReshJvm.command(List.of("-XX:-UsePerfData", "-Djava.io.tmpdir=" + dir), "exec", "--no-stdin",
                "--report", report.toString(), "-n", "3", "--", "sh", "-c", "echo hi; exit 3"));
        Process resh = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        try {
            assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(resh.exitValue()).as("the replicas' code").isEqualTo(3);
            assertThat(Files.readString(dir.resolve("stdout.txt"))).isEqualTo("hi\n");
            assertThat(Files.readString(dir.resolve("stderr.txt"))).isEqualTo("resh exec: --report: cannot write the"
                    + " report: " + report + ": file too large\n");
            assertThat(report).as("neither half this run's report nor the earlier one, which would read as this run's")
                    .doesNotExist();
            try (Stream<Path> left = Files.list(dir)) {
                assertThat(left.map(p -> p.getFileName().toString()))
                        .containsExactlyInAnyOrder("stdout.txt", "stderr.txt");
            }
        } finally {
            ReshJvm.killTree(resh);
        }
    }

    /**
     * Run without a terminal (setsid: a CI job, a service), a replica stopped by SIGSTOP was reported as "most likely
     * by reading the terminal (a password prompt?)", which no replica of that resh can do.
     */
    @Test
    void shouldNotBlameTheTerminalForAStoppedReplicaWhenThereIsNone(@TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of("setsid", "-w"));
        command.addAll(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir), "exec", "--no-stdin", "-n", "3", "--",
                "sh", "-c", "if [ \"$RESH_REPLICA\" = 1 ]; then kill -STOP $$; fi; echo answered"));
        Process resh = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        try {
            assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(resh.exitValue()).isZero();
            assertThat(Files.readString(dir.resolve("stdout.txt"))).isEqualTo("answered\n");
            assertThat(Files.readString(dir.resolve("stderr.txt"))).isEqualTo(
                    "resh exec: process: replica 1 was stopped by a signal from outside (SIGSTOP, SIGTSTP) and stayed"
                            + " stopped; killed\n"
                            + "resh exec: used the majority result; faulty replica 1\n");
        } finally {
            ReshJvm.killTree(resh);
        }
    }

    /**
     * Without setpriv, resh warned that the replicas "will not die with resh" also under --sandbox, where bubblewrap's
     * --die-with-parent kills them with it.
     */
    @Test
    void shouldNotWarnThatSandboxedReplicasOutliveResh(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin")); // a PATH with all resh uses but setpriv
        for (String program : List.of("sh", "bwrap", "perl", "mkfifo", "echo")) {
            java.util.Optional<Path> found = Stream.of(System.getenv("PATH").split(":"))
                    .map(d -> Path.of(d, program)).filter(Files::isExecutable).findFirst();
            assumeTrue(found.isPresent(), program + " is not installed");
            Files.createSymbolicLink(bin.resolve(program), found.get());
        }
        List<String> warned = new ArrayList<>();
        for (boolean sandbox : List.of(false, true)) {
            List<String> args = new ArrayList<>(List.of("exec", "--no-stdin"));
            if (sandbox) {
                args.add("--sandbox");
            }
            args.addAll(List.of("--", "echo", "hi"));
            ProcessBuilder builder = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir),
                    args.toArray(String[]::new))).directory(dir.toFile())
                    .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
            builder.environment().put("PATH", bin.toString());
            Process resh = builder.start();
            try {
                assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
                String stderr = Files.readString(dir.resolve("stderr.txt"));
                assumeTrue(resh.exitValue() == 0 || !sandbox, "bubblewrap cannot run here: " + stderr);
                assertThat(resh.exitValue()).as(stderr).isZero();
                assertThat(Files.readString(dir.resolve("stdout.txt"))).isEqualTo("hi\n");
                warned.add(stderr);
            } finally {
                ReshJvm.killTree(resh);
            }
        }
        assertThat(warned.get(0)).as("without --sandbox the warning holds")
                .startsWith("resh exec: warning: setpriv is not on the PATH, so the replicas will not die with resh");
        assertThat(warned.get(1)).as("under --sandbox it does not").isEmpty();
    }

    /** Without mkfifo resh said: mkfifo (from coreutils) cannot be run: Cannot run program "mkfifo": error=2, ... */
    @Test
    void shouldSayThatMkfifoIsMissing(@TempDir Path dir) throws Exception {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path sh = Stream.of(System.getenv("PATH").split(":")).map(d -> Path.of(d, "sh")).filter(Files::isExecutable)
                .findFirst().orElseThrow();
        Files.createSymbolicLink(bin.resolve("sh"), sh);
        ProcessBuilder builder = new ProcessBuilder(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir), "exec",
                "--no-stdin", "--", "sh", "-c", "exit 0")).directory(dir.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile());
        builder.environment().put("PATH", bin.toString());
        Process resh = builder.start();
        try {
            assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(resh.exitValue()).isEqualTo(126);
            assertThat(Files.readAllLines(dir.resolve("stderr.txt"))).last().isEqualTo("resh exec: cannot create the"
                    + " pipes that read the replicas' output: mkfifo is not on the PATH; install it with"
                    + " 'apt-get install coreutils'");
        } finally {
            ReshJvm.killTree(resh);
        }
    }

    /**
     * "resh exec -- sha256sum < big.iso" copied the file to the temporary directory first, and one past --max-stdin
     * was refused. A regular file not read yet is now read by the replicas themselves; one the shell has read into
     * is still copied, from where it stands.
     */
    @Test
    void shouldLetTheReplicasReadAStdinThatIsARegularFile(@TempDir Path dir) throws Exception {
        Path big = Files.write(dir.resolve("big.bin"), new byte[4096]);
        Path lines = Files.writeString(dir.resolve("lines.txt"), "first\nsecond\n");

        assertThat(run(dir, big, List.of(), "--max-stdin", "1KiB", "--", "wc", "-c")).isEqualTo("4096\n");
        assertThat(run(dir, lines, List.of("sh", "-c", "read -r first && exec \"$@\"", "sh"), "--", "cat"))
                .as("after the line the shell read").isEqualTo("second\n");
    }

    /**
     * "resh exec -- cat < app.log" while something appended to app.log: the replicas read it before and after the
     * append, disagreed, and resh exited 125 blaming them.
     */
    @Test
    void shouldSayThatAStdinFileChangedUnderTheReplicas(@TempDir Path dir) throws Exception {
        Path log = Files.writeString(dir.resolve("app.log"), "early\n");
        String script = "if [ \"$RESH_REPLICA\" = 0 ]; then cat; : > \"$1/read\"; else : > \"$1/waiting\";"
                + " until [ -e \"$1/appended\" ]; do sleep 0.01; done; cat; fi";
        List<String> command = ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir), "exec", "-n", "2", "--", "sh", "-c",
                script, "sh", dir.toString());
        Process resh = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(log.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> Files.exists(dir.resolve("read")) && Files.exists(dir.resolve("waiting")));
            Files.writeString(log, "late\n", java.nio.file.StandardOpenOption.APPEND);
            Files.createFile(dir.resolve("appended"));

            assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            List<String> stderr = Files.readAllLines(dir.resolve("stderr.txt"));
            assertThat(resh.exitValue()).as(String.join("\n", stderr)).isEqualTo(126);
            assertThat(stderr.get(stderr.size() - 1)).startsWith("resh exec: stdin (" + log.toRealPath()
                    + ") grew from 6 to 11 bytes while the replicas ran, so the replicas need not have read the same"
                    + " input").endsWith("(exit 126)");
        } finally {
            ReshJvm.killTree(resh);
        }
    }

    /** resh exec ARGS in a JVM of its own, with {@code stdin} as its stdin, behind {@code prefix}; its stdout. */
    private static String run(Path dir, Path stdin, List<String> prefix, String... args) throws Exception {
        List<String> command = new ArrayList<>(prefix);
        List<String> all = new ArrayList<>(List.of("exec"));
        all.addAll(List.of(args));
        command.addAll(ReshJvm.command(List.of("-Djava.io.tmpdir=" + dir), all.toArray(String[]::new)));
        Process resh = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(stdin.toFile())
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(dir.resolve("stderr.txt").toFile())
                .start();
        try {
            assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(resh.exitValue()).as(Files.readString(dir.resolve("stderr.txt"))).isZero();
            return Files.readString(dir.resolve("stdout.txt"));
        } finally {
            ReshJvm.killTree(resh);
        }
    }

    /** "--stdin data.txt --report data.txt" replaced the input with the report after the run. */
    @Test
    void shouldRefuseAReportThatWouldReplaceTheInputOrAVotedOutput(@TempDir Path dir) throws Exception {
        Path data = Files.writeString(dir.resolve("data.txt"), "b\na\n");
        Path ran = dir.resolve("ran");

        assertThat(exec("", "--stdin", data.toString(), "--report", data.toString(), "--", "touch", ran.toString()))
                .isEqualTo(2);
        assertThat(exec("", "--output", "out.txt", "--report", "out.txt", "--", "touch", ran.toString()))
                .isEqualTo(2);

        assertThat(stderr()).isEqualTo("resh exec: --report: '" + data + "' is the --stdin file, which the report"
                + " would replace; name another report file\n"
                + "resh exec: --report: 'out.txt' is also an --output, whose voted copy the report would replace;"
                + " name another report file\n");
        assertThat(data).hasContent("b\na\n");
        assertThat(ran).as("nothing ran").doesNotExist();
    }

    /** The missing directories were created; a file in the way of one failed after the whole run. */
    @Test
    void shouldRefuseAReportWhoseDirectoryIsMissingOrAFileBeforeRunningAnything(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("no/such/r.json");
        Path file = Files.writeString(dir.resolve("data.txt"), "x");

        assertThat(exec("", "--report", missing.toString(), "--", "touch", dir.resolve("ran").toString())).isEqualTo(2);
        assertThat(exec("", "--report", file.resolve("r.json").toString(), "--", "touch", dir.resolve("ran").toString()))
                .isEqualTo(2);

        assertThat(stderr()).isEqualTo("resh exec: --report: " + missing + ": the directory " + missing.getParent()
                + " does not exist (resh does not create it)\n"
                + "resh exec: --report: " + file.resolve("r.json") + ": the directory " + file + " is not a directory\n");
        assertThat(dir.resolve("no")).doesNotExist();
        assertThat(dir.resolve("ran")).as("nothing ran").doesNotExist();
    }

    /** Said "cannot store stdin for the replicas: data.txt: already exists and is not a directory". */
    @Test
    void shouldNameWorkRootWhenItIsNoDirectory(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("data.txt"), "x");
        Path missing = dir.resolve("nope");

        assertThat(execHere("some input", "--work-root", file.toString(), "--", "true")).isEqualTo(2);
        assertThat(execHere("", "--buffer", "--work-root", missing.toString(), "--", "true")).isEqualTo(2);

        assertThat(stderr()).isEqualTo("resh exec: --work-root: " + file + " is not a directory\n"
                + "resh exec: --work-root: " + missing + " does not exist (resh does not create it)\n");
        assertThat(missing).doesNotExist();
    }

    @Test
    void shouldSayWhereTheKeptWorkDirectoriesAre() throws Exception {
        int code = exec("", "--keep-workdirs", "-n", "2", "--", "sh", "-c", "echo $RESH_REPLICA > mine.txt");

        assertThat(code).isZero();
        String prefix = "resh exec: --keep-workdirs: the replicas' work directories are kept in ";
        assertThat(stderr()).startsWith(prefix).endsWith("\n").hasLineCount(1);
        Path kept = Path.of(stderr().substring(prefix.length()).trim());
        assertThat(kept.getParent()).isEqualTo(work.toRealPath());
        assertThat(kept.resolve("replica-1/mine.txt")).hasContent("1");
    }

    /** A missing java.io.tmpdir was created (as root: a directory at /) without a word. */
    @Test
    void shouldNotCreateAMissingTemporaryDirectory(@TempDir Path dir) throws Exception {
        Path missing = dir.resolve("nonexistent");
        Ran ran = reshFromShell(dir, null, "exec \"$@\"", "-Djava.io.tmpdir=" + missing, "--no-stdin", "--", "true");

        assertThat(ran.exit()).as(ran.stderr()).isEqualTo(126);
        assertThat(ran.stderr()).isEqualTo("resh exec: the temporary directory " + missing
                + " (java.io.tmpdir) does not exist; create it, or give --work-root DIR\n");
        assertThat(missing).doesNotExist();
    }

    /**
     * With descriptor 0 closed the JVM opens its module image there, and resh fed that (over 100 MB) to every
     * replica as its stdin.
     */
    @Test
    void shouldGiveAnEmptyStdinWhenReshStdinIsClosed(@TempDir Path dir) throws Exception {
        Ran ran = reshFromShell(dir, null, "exec \"$@\" <&-", "-Djava.io.tmpdir=" + dir, "-n", "3", "--", "wc", "-c");

        assertThat(ran.exit()).as(ran.stderr()).isZero();
        assertThat(ran.stdout().trim()).isEqualTo("0");
    }

    /** Under LC_ALL=C the JVM decoded 'é' as two U+FFFD, and the replicas were given "caf??" and agreed on it. */
    @Test
    void shouldRefuseAnArgumentTheLocaleCannotHold(@TempDir Path dir) throws Exception {
        // The bytes of "café" in UTF-8, made by the shell: this JVM's own locale does not decide what is passed.
        Ran ran = reshFromShell(dir, "C", "exec \"$@\" \"$(printf 'caf\\303\\251')\"", "-Djava.io.tmpdir=" + dir,
                "--no-stdin", "--", "echo");

        assertThat(ran.exit()).as(ran.stderr()).isEqualTo(2);
        assertThat(ran.stderr()).isEqualTo("resh exec: COMMAND: 'caf\\xc3\\xa9' has bytes the locale's "
                + "character set (US-ASCII) does not hold, so the replicas would get others; run resh under a UTF-8 "
                + "locale, e.g. LC_ALL=C.UTF-8\n");
        assertThat(ran.stdout()).isEmpty();
    }

    /** "startDir: '...' is not an existing directory" named no option and no cause. */
    @Test
    void shouldSayWhyTheCurrentDirectoryCannotBeUsed(@TempDir Path dir) throws Exception {
        // Made and entered by the shell: this JVM's own locale does not decide the name's bytes.
        Ran ran = reshFromShell(dir, "C", "cd '" + dir + "' && d=\"$(printf 'h\\303\\251llo')\" && mkdir \"$d\""
                + " && cd \"$d\" && exec \"$@\"", "-Djava.io.tmpdir=" + dir, "--no-stdin", "--", "true");

        assertThat(ran.exit()).as(ran.stderr()).isEqualTo(2);
        assertThat(ran.stderr()).matches("resh exec: current directory: '.*/h.+llo' has bytes in its name the locale's"
                + " character set \\(US-ASCII\\) does not hold, so resh cannot find it by name; run resh under a UTF-8"
                + " locale, e.g. LC_ALL=C.UTF-8\n");
    }

    private record Ran(int exit, String stdout, String stderr) {
    }

    /**
     * {@code resh exec ARGS} in a JVM of its own (with {@code jvmOption}), started by {@code sh -c SCRIPT} whose
     * {@code exec "$@"} runs it, under {@code LC_ALL=locale} unless null.
     */
    private static Ran reshFromShell(Path dir, String locale, String script, String jvmOption, String... args)
            throws Exception {
        Path stdout = Files.createTempFile(dir, "stdout", ".txt");
        Path stderr = Files.createTempFile(dir, "stderr", ".txt");
        List<String> command = new ArrayList<>(List.of("sh", "-c", script, "sh"));
        List<String> exec = new ArrayList<>(List.of("exec"));
        exec.addAll(List.of(args));
        command.addAll(ReshJvm.command(List.of(jvmOption), exec.toArray(String[]::new)));
        ProcessBuilder builder = new ProcessBuilder(command).redirectOutput(stdout.toFile()).redirectError(stderr.toFile());
        if (locale != null) {
            builder.environment().put("LC_ALL", locale);
        }
        Process resh = builder.start();
        try {
            assertThat(resh.waitFor(60, TimeUnit.SECONDS)).isTrue();
            return new Ran(resh.exitValue(), Files.readString(stdout), Files.readString(stderr));
        } finally {
            ReshJvm.killTree(resh);
        }
    }

    @Test
    void shouldSayWhenTheCommandIsMissing() {
        assertThat(exec("", "--", "no-such-program-anywhere")).isEqualTo(127);
        assertThat(stderr()).contains("resh exec: command not found: no-such-program-anywhere");
    }

    @Test
    void shouldDocumentWorkDirectoriesAndExitCodesInHelp() {
        CommandLine cl = new CommandLine(new ExecCommand(InputStream.nullInputStream(), out, err, true));
        String help = cl.getUsageMessage();

        assertThat(help).contains("--sandbox", "--pin", "--retry", "--buffer", "--report", "--output", "--timeout",
                "own temporary work directory", "125", "124", "126", "130", "143", "RESH_REPLICA", "1 to 64",
                "/tmp and /dev/shm");
    }

    /** The 126 line was longer than the help's width and wrapped "up (bwrap, ...)" to column 0. */
    @Test
    void shouldKeepEveryExitCodeLineOfTheHelpIndentedAndWithinItsWidth() {
        String help = new CommandLine(new ExecCommand(InputStream.nullInputStream(), out, err, true)).getUsageMessage();
        List<String> lines = help.lines().toList();
        List<String> codes = lines.subList(lines.indexOf("Exit codes:") + 1,
                lines.indexOf(lines.stream().filter(l -> l.startsWith("When resh chose")).findFirst().orElseThrow()));

        assertThat(codes).hasSizeGreaterThan(8).allSatisfy(line -> assertThat(line).startsWith("  ").hasSizeLessThan(80));
    }
}

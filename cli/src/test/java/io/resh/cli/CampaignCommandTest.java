package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.resh.core.InjectedFault;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** `resh campaign` end to end through the real command line: a small TMR campaign writes its reports. */
@Tag("e2e")
class CampaignCommandTest {
    @TempDir
    Path dir;

    /** The replicas' default flags, given explicitly: one argument with spaces, quoted in the report's command. */
    private static final String FLAGS = "-XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xmx128m -Xss512k -Xshare:auto -XX:-UsePerfData";

    private Process campaign;

    @Test
    void shouldWriteJsonAndHtmlReportsAndExitZeroForACleanTmrCampaign() throws Exception {
        Path out = dir.resolve("out");
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "kv", "--replicas", "3", "--injections", "14", "--seed", "7",
                "--requests-per-injection", "10", "--no-overhead", "--jvm-flags", FLAGS, "--report", out.toString());
        assertThat(code).as(err.toString()).isZero();
        JsonNode json = new ObjectMapper().readTree(out.resolve("campaign.json").toFile());
        // The command as typed, so it can be rerun: the subcommand's name once, not "resh campaign campaign".
        assertThat(json.get("command").asText()).isEqualTo("resh campaign --service kv --replicas 3 --injections 14"
                + " --seed 7 --requests-per-injection 10 --no-overhead --jvm-flags '" + FLAGS + "' --report " + out);
        JsonNode records = json.get("records");
        assertThat(records).hasSize(14);
        for (JsonNode r : records) {
            assertThat(r.get("outcome").asText()).isIn("masked", "corrected");
            assertThat(r.get("wrongReplies").asInt()).isZero();
        }
        String html = Files.readString(out.resolve("report.html"));
        assertThat(html).contains("<svg").doesNotContain("<script src").doesNotContain("http://").doesNotContain("https://");
    }

    /**
     * Ctrl-C used to end with "resh campaign: group campaign-kv is closed", which reads like a failure of the group.
     * An earlier campaign's report in the same directory stayed there as if it were this one's.
     */
    @Test
    void shouldSayItWasInterruptedWhenStoppedLikeCtrlC() throws Exception {
        Path err = dir.resolve("stderr.txt");
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("campaign.json"), "{\"earlier\": true}");
        Files.writeString(out.resolve("report.html"), "<p>earlier</p>");
        Path earlierLog = Files.createDirectories(out.resolve("replicas/group-1")).resolve("replica-0.log");
        Files.writeString(earlierLog, "earlier line\n");
        campaign = new ProcessBuilder(ReshJvm.command(List.of(), "campaign", "--service", "kv",
                "--injections", "500", "--no-overhead", "--report", dir.resolve("out").toString()))
                .redirectOutput(dir.resolve("stdout.txt").toFile()).redirectError(err.toFile()).start();
        // The progress line for 0 done is printed once the group is up and the first window starts.
        await().atMost(Duration.ofSeconds(60)).until(() -> Files.readString(err).contains("0/500"));

        campaign.destroy(); // SIGTERM, as Ctrl-C or a service manager stops it

        assertThat(campaign.waitFor(60, TimeUnit.SECONDS)).as("resh campaign exits").isTrue();
        String stderr = Files.readString(err);
        assertThat(stderr).containsPattern("resh campaign: interrupted after \\d+ of 500 injections; no report written")
                .doesNotContain("is closed");
        assertThat(out.resolve("campaign.json")).doesNotExist();
        assertThat(out.resolve("report.html")).doesNotExist();
        assertThat(out.resolve("campaign.previous.json")).hasContent("{\"earlier\": true}");
        assertThat(out.resolve("report.previous.html")).hasContent("<p>earlier</p>");
        assertThat(stderr).contains("resh campaign: the earlier report in " + out
                + " is now campaign.previous.json, report.previous.html and replicas.previous");
        assertThat(out.resolve("replicas.previous/group-1/replica-0.log")).hasContent("earlier line");
        assertThat(earlierLog).as("this campaign's log of the same replica starts afresh")
                .satisfiesAnyOf(p -> assertThat(p).doesNotExist(), p -> assertThat(p).content().doesNotContain("earlier line"));
        await().atMost(Duration.ofSeconds(10)).until(() -> campaign.descendants().noneMatch(ProcessHandle::isAlive));
    }

    @AfterEach
    void killWhatIsLeft() {
        ReshJvm.killTree(campaign);
    }

    /**
     * A second campaign into the same --report appended its replica logs to the first one's, with nothing
     * between them; an older replicas.previous is replaced, as campaign.previous.json is.
     */
    @Test
    void shouldSetTheEarlierReplicaLogsAsideWithTheEarlierReport() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(Files.createDirectories(out.resolve("replicas/group-1")).resolve("replica-2.log"), "second run\n");
        Files.writeString(Files.createDirectories(out.resolve("replicas.previous/group-1")).resolve("replica-2.log"), "first run\n");
        Files.writeString(out.resolve("replicas.previous/group-1/replica-0.log"), "first run\n");
        Files.writeString(out.resolve("campaign.json"), "{}");

        assertThat(CampaignCommand.setAsideEarlierReport(out)).containsExactly("campaign.previous.json", "replicas.previous");

        assertThat(out.resolve("replicas")).doesNotExist();
        assertThat(out.resolve("replicas.previous/group-1/replica-2.log")).hasContent("second run");
        assertThat(out.resolve("replicas.previous/group-1/replica-0.log")).as("the older logs are gone").doesNotExist();
        assertThat(CampaignCommand.setAsideEarlierReport(out)).as("nothing left to set aside").isEmpty();
        assertThat(out.resolve("replicas.previous/group-1/replica-2.log")).hasContent("second run");
    }

    /**
     * A second campaign given the --report of a running one moved the running one's replica logs to replicas.previous,
     * said "the earlier report ... is now replicas.previous", and whichever ended last overwrote the other's report.
     */
    @Test
    void shouldRefuseAReportDirectoryAnotherCampaignIsWritingInto() throws Exception {
        Path out = Files.createDirectories(dir.resolve("out"));
        Path runningLog = Files.createDirectories(out.resolve("replicas/group-0")).resolve("replica-0.log");
        Files.writeString(runningLog, "the running campaign's line\n");
        FileChannel running = CampaignCommand.claimReport(out);
        assertThat(running).as("the first campaign's claim").isNotNull();
        try {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));

            int code = cl.execute("campaign", "--service", "kv", "--injections", "1", "--no-overhead", "--report",
                    out.toString());

            assertThat(code).isEqualTo(1);
            assertThat(err.toString()).isEqualTo("resh campaign: --report " + out + ": another campaign (pid "
                    + ProcessHandle.current().pid() + ") is writing its report there; wait for it to end, or give another"
                    + " --report DIR\n");
            assertThat(runningLog).hasContent("the running campaign's line");
            assertThat(out.resolve("replicas.previous")).doesNotExist();
        } finally {
            CampaignCommand.releaseReport(running);
        }
        assertThat(CampaignCommand.reportHolder(out)).as("no campaign named once it is done").isEmpty();
        FileChannel next = CampaignCommand.claimReport(out);
        assertThat(next).as("free again once the first campaign is done").isNotNull();
        CampaignCommand.releaseReport(next);
    }

    /**
     * The bar's redrawing followed System.console(), which speaks of stdin and stdout: "2> progress.log" from a
     * terminal filled the log with one line of carriage returns.
     */
    @Test
    void shouldRedrawTheProgressBarOnlyWhenStandardErrorIsATerminal() throws Exception {
        Path log = Files.writeString(dir.resolve("progress.log"), "");
        assertThat(stderrTo(log.toString())).as("a file").isFalse();
        assertThat(stderrTo("pipe:[4026]")).as("a pipe").isFalse();
        assertThat(stderrTo("/dev/pts/3")).as("a pseudo-terminal").isTrue();
        assertThat(stderrTo("/dev/tty1")).as("a console").isTrue();
    }

    /** What the bar decides for a standard error that is {@code target}, as /proc/self/fd/2 names it. */
    private boolean stderrTo(String target) throws Exception {
        Path fd = Files.createSymbolicLink(dir.resolve("2"), Path.of(target));
        try {
            return CampaignCommand.isTerminal(fd);
        } finally {
            Files.delete(fd);
        }
    }

    /** A --report that is a file failed only inside the first window, as "resh: DIR/replicas: Not a directory", exit 2. */
    @Test
    void shouldRefuseAReportPathThatCannotBeADirectoryBeforeStarting() throws Exception {
        Path file = Files.writeString(dir.resolve("a-file"), "x");
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));

        int code = cl.execute("campaign", "--service", "kv", "--injections", "2", "--no-overhead", "--report", file.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString().strip()).isEqualTo("resh campaign: --report " + file + ": exists and is not a directory");
    }

    /**
     * A report directory that can't take campaign.json used to be found out only after the last injection:
     * the whole campaign ran, then "cannot write the campaign report". Replica logs that can't be written
     * failed at the first window, naming the builder's "workDir" instead of --report.
     */
    @Test
    void shouldRefuseAReportDirectoryItCannotWriteTheReportIntoBeforeStarting() throws Exception {
        Path taken = Files.createDirectories(dir.resolve("taken").resolve("campaign.json"));
        Path logs = Files.createDirectories(dir.resolve("logs"));
        Files.writeString(logs.resolve("replicas"), "x");

        for (Path report : List.of(taken.getParent(), logs)) {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));

            int code = cl.execute("campaign", "--service", "kv", "--injections", "2", "--no-overhead", "--report", report.toString());

            assertThat(code).as(err.toString()).isEqualTo(1);
            assertThat(err.toString().strip()).as("one line, before any replica starts").doesNotContain("\n")
                    .startsWith("resh campaign: --report " + report + ": ").doesNotContain("starting");
        }
        assertThat(taken).isEmptyDirectory();
    }

    /** Unrecovered and fail-stop injections fail a campaign of three replicas too, and showed only at its end. */
    @Test
    void shouldCountEveryFailingOutcomeInTheProgressLine() {
        StringWriter err = new StringWriter();
        CampaignCommand.Progress progress = new CampaignCommand.Progress(new io.resh.campaign.ProgressBar(
                new PrintWriter(err, true), false, 4, "kv N=3"));
        List<io.resh.campaign.Outcome> outcomes = List.of(io.resh.campaign.Outcome.MASKED,
                io.resh.campaign.Outcome.DETECTED_UNRECOVERED, io.resh.campaign.Outcome.SILENT_DATA_CORRUPTION,
                io.resh.campaign.Outcome.DETECTED_FAIL_STOP);
        assertThat(progress.status()).isEqualTo("sdc 0  unavailable 0  latent 0");
        for (int i = 0; i < outcomes.size(); i++) {
            progress.injected(new io.resh.campaign.InjectionRecord(i, InjectedFault.CRASH, 0, 1, 0, i, i, 0, "",
                    outcomes.get(i), "", 1, 0, "", 0, 0, 0, 1), i + 1, outcomes.size());
        }

        assertThat(progress.status()).isEqualTo("sdc 1  unavailable 0  latent 0  unrecovered 1  fail-stop 1");
        assertThat(err.toString()).contains("4/4").contains("sdc 1  unavailable 0  latent 0  unrecovered 1  fail-stop 1");
    }

    /** The docs and --help give "all" as the default; "--kinds all" was refused as an unknown kind. */
    @Test
    void shouldTakeAllAsEveryKind() {
        CampaignCommand all = new CampaignCommand();
        new CommandLine(all).parseArgs("--kinds", "all", "--report", dir.toString());
        CampaignCommand none = new CampaignCommand();
        new CommandLine(none).parseArgs("--report", dir.toString());
        assertThat(all.config().kinds()).isEqualTo(none.config().kinds()).hasSize(InjectedFault.values().length);

        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        assertThat(cl.execute("campaign", "--kinds", "crash,all", "--injections", "1", "--no-overhead", "--report",
                dir.toString())).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("resh campaign: --kinds: expected all alone, or fault kinds among");
    }

    @Test
    void shouldPointAtAnEmptyKind() {
        for (String kinds : List.of("crash,,hang", "")) {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            assertThat(cl.execute("campaign", "--kinds", kinds, "--injections", "1", "--no-overhead", "--report",
                    dir.toString())).isEqualTo(2);
            assertThat(err.toString().strip()).as(kinds).startsWith("resh campaign: --kinds: expected fault kinds"
                    + " separated by single commas, got an empty one in '");
        }
        assertThat(dir).isEmptyDirectory();
    }

    /** resh exec --report takes a file; "resh campaign --report out.json" made a directory called out.json. */
    @Test
    void shouldRefuseAReportNamedLikeAFile() {
        Path json = dir.resolve("out.json");
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));

        int code = cl.execute("campaign", "--service", "kv", "--injections", "1", "--no-overhead", "--report",
                json.toString());

        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).isEqualTo("resh campaign: --report: '" + json + "' names a file, but a campaign's"
                + " report is a directory (campaign.json, report.html and the replica logs go in it); give --report"
                + " DIR\n");
        assertThat(json).doesNotExist();
    }

    /** A bad option value is named as the option the user typed, not as the builder's field. */
    @Test
    void shouldNameABadOptionAsItWasTyped() {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "kv", "--deadline", "10ms", "--report", dir.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("resh campaign: --deadline: expected at least 50 ms");
    }

    /**
     * "--service kv --diverse" ran copies of the one KV store, and "--no-diverse" was as silently ignored: only AES has
     * diverse implementations. Left out, the option's default fits either service.
     */
    @Test
    void shouldRefuseDiversityForAServiceWithOneImplementation() {
        for (String[] optionAndError : new String[][] {
                {"--diverse", "resh campaign: --diverse: kv has one implementation, which every replica runs; only aes"
                        + " has diverse ones: leave --diverse out, or give --service aes"},
                {"--no-diverse", "resh campaign: --no-diverse: kv has one implementation, which every replica runs"
                        + " anyway; only aes has diverse ones to turn off: leave --no-diverse out"}}) {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            int code = cl.execute("campaign", "--service", "kv", optionAndError[0], "--injections", "1", "--no-overhead",
                    "--report", dir.toString());
            assertThat(code).as(optionAndError[0]).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo(optionAndError[1]);
        }
        assertThat(dir).as("nothing started").isEmptyDirectory();
        for (String option : List.of("--diverse", "--no-diverse")) {
            CommandLine aes = new CommandLine(new CampaignCommand());
            aes.parseArgs("--service", "aes", option, "--report", dir.toString());
            assertThat(((CampaignCommand) aes.getCommand()).config().diverseReplicas()).as(option)
                    .isEqualTo(option.equals("--diverse"));
        }
        CommandLine kv = new CommandLine(new CampaignCommand());
        kv.parseArgs("--service", "kv", "--report", dir.toString());
        assertThat(((CampaignCommand) kv.getCommand()).config().diverseReplicas()).as("kv by default").isFalse();
    }

    /**
     * "--replicas 1 --diverse" ran the JDK's AES alone, and "--no-overhead --overhead-requests 500" measured nothing:
     * each was silently ignored. Both are refused before anything starts.
     */
    @Test
    void shouldRefuseAnOptionThatAnotherTurnsIntoANoOp() {
        for (String[] argsAndError : new String[][] {
                {"--replicas 1 --diverse --no-overhead", "resh campaign: --diverse: one replica runs one implementation;"
                        + " diverse replicas need --replicas 2 or more: leave --diverse out, or give --replicas 3"},
                {"--no-overhead --overhead-requests 500", "resh campaign: --overhead-requests: counts the requests of the"
                        + " overhead measurement, which --no-overhead turns off: leave one of them out"}}) {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            List<String> args = new java.util.ArrayList<>(List.of("campaign", "--service", "aes", "--injections", "1",
                    "--report", dir.toString()));
            args.addAll(List.of(argsAndError[0].split(" ")));
            int code = cl.execute(args.toArray(String[]::new));
            assertThat(code).as(argsAndError[0]).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo(argsAndError[1]);
        }
        assertThat(dir).as("nothing started").isEmptyDirectory();
        for (String args : List.of("--replicas 1", "--replicas 1 --no-diverse", "--replicas 2 --diverse",
                "--overhead-requests 500", "--no-overhead")) {
            CommandLine fine = new CommandLine(new CampaignCommand());
            List<String> all = new java.util.ArrayList<>(List.of("--report", dir.toString()));
            all.addAll(List.of(args.split(" ")));
            fine.parseArgs(all.toArray(String[]::new));
            assertThat(((CampaignCommand) fine.getCommand()).config()).as(args).isNotNull();
        }
    }

    /** "--timeout: ... got 5000 ms" after only --deadline 3s: a value never typed, not said to be the default. */
    @Test
    void shouldSayThatAValueOutOfRangeIsTheDefaultWhenTheOptionWasNotGiven() {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "kv", "--deadline", "3s", "--report", dir.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("resh campaign: --timeout: expected more than twice the deadline"
                + " (3000 ms) so a hung replica can be replaced before the client gives up, got 5000 ms (its default;"
                + " give --timeout a value that fits)");
    }

    /** "--settle-timeout 100ms" ran the whole campaign and failed it as unrecovered and latent, exit 1. */
    @Test
    void shouldRefuseASettleTimeoutTooShortForRecoveryBeforeStarting() {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "kv", "--settle-timeout", "1ms", "--injections", "4",
                "--no-overhead", "--report", dir.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).doesNotContain("\n")
                .startsWith("resh campaign: --settle-timeout: expected at least 6200 ms (").endsWith("got 1 ms");
        assertThat(dir).isEmptyDirectory();
    }

    /** "--seed notanumber" was answered "'notanumber' is not a long", a Java type name. */
    @Test
    void shouldSayASeedIsAWholeNumber() {
        for (String[] seedAndError : new String[][] {
                {"notanumber", "resh campaign: --seed: expected a whole number, got 'notanumber'"},
                {"1.5", "resh campaign: --seed: expected a whole number, got '1.5'"},
                {"99999999999999999999", "resh campaign: --seed: '99999999999999999999' is too large"}}) {
            CommandLine cl = Resh.commandLine();
            StringWriter err = new StringWriter();
            cl.setErr(new PrintWriter(err));
            int code = cl.execute("campaign", "--seed", seedAndError[0], "--report", dir.toString());
            assertThat(code).isEqualTo(2);
            assertThat(err.toString().strip()).isEqualTo(seedAndError[1]);
        }
    }

    /**
     * The help showed "--replicas=<replicas>", "--deadline=<deadline>" and no bounds, so a user learnt that
     * --replicas stops at 9 or that --timeout must exceed twice --deadline only from an error.
     */
    @Test
    void shouldShowWhatEachValueIsAndItsBoundsInTheHelp() {
        CommandLine cl = Resh.commandLine();
        StringWriter out = new StringWriter();
        cl.setOut(new PrintWriter(out));
        assertThat(cl.execute("campaign", "--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        assertThat(help).doesNotContain("=<").contains("--replicas=N", "--deadline=DURATION", "--report=DIR",
                "--kinds=KIND[,KIND...]", "1 to 9", "at most 1000000", "at most 10000", "more than twice --deadline",
                "at least 50ms", "plus 5s", "10 to 100000");
    }

    @Test
    void shouldRejectAnUnknownServiceInOneLine() {
        CommandLine cl = Resh.commandLine();
        StringWriter err = new StringWriter();
        cl.setErr(new PrintWriter(err));
        int code = cl.execute("campaign", "--service", "nosuch", "--injections", "1", "--report", dir.toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString()).contains("nosuch");
    }
}

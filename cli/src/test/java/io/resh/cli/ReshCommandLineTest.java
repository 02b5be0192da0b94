package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** What {@code resh} says about a command line it cannot parse: the mistake, in a line or two, not the usage. */
class ReshCommandLineTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        CommandLine cl = Resh.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** logback reads a level it does not know as DEBUG: a typo for less logging gave the most. */
    @Test
    void shouldRefuseALogLevelItDoesNotKnow() throws Exception {
        ProcessBuilder pb = new ProcessBuilder(ReshJvm.command(java.util.List.of(), "--version")).redirectErrorStream(true);
        pb.environment().put("RESH_LOG_LEVEL", "verbose");
        Process resh = pb.start();
        String output = new String(resh.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);

        assertThat(resh.waitFor()).isEqualTo(2);
        assertThat(output.lines()).containsExactly(
                "resh: RESH_LOG_LEVEL: expected TRACE, DEBUG, INFO, WARN, ERROR or OFF, got 'verbose'");
        pb.environment().put("RESH_LOG_LEVEL", "warn");
        Process lower = pb.start();
        lower.getInputStream().readAllBytes();
        assertThat(lower.waitFor()).as("any case").isZero();
    }

    @Test
    void shouldNameAnUnknownOptionAndWhereTheUsageIs() {
        assertThat(run("status", "--bogus")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("resh status: unknown option: '--bogus'",
                "Try 'resh status --help' for its options.");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldSuggestTheCommandMeantForAMistypedOne() {
        assertThat(run("stauts")).isEqualTo(2);
        assertThat(err.toString()).startsWith("resh: unmatched argument").contains("'stauts'", "status")
                .contains("Try 'resh --help' for its options.").doesNotContain("Usage:");
    }

    @Test
    void shouldNameTheOptionOfAValueItCannotConvert() {
        assertThat(run("bench", "kv-small", "--rounds", "many")).isEqualTo(2);
        assertThat(err.toString().lines()).containsExactly("resh bench: --rounds: expected a whole number, got 'many'");
    }

    /** Picocli answered "Invalid value for option '--replicas': 'x' is not an int", a Java type name. */
    @Test
    void shouldSayWhatNumberEveryNumericOptionExpected() {
        String[][] argsAndError = {
                {"campaign --replicas x", "resh campaign: --replicas: expected a whole number, got 'x'"},
                {"campaign --injections 1.5", "resh campaign: --injections: expected a whole number, got '1.5'"},
                {"campaign --replicas 99999999999",
                        "resh campaign: --replicas: '99999999999' is too large"},
                {"bench kv-small --seed x", "resh bench: --seed: expected a whole number, got 'x'"},
                {"bench kv-small --rate fast", "resh bench: --rate: expected a number, got 'fast'"},
                {"bench kv-small --rate NaN", "resh bench: --rate: expected a number, got 'NaN'"},
                {"bench recovery --state-mb 10,ten", "resh bench: --state-mb: expected a whole number, got 'ten'"},
                {"exec -n three true", "resh exec: --replicas: expected a whole number, got 'three'"},
                {"inject crash --replica first", "resh inject: --replica: expected a whole number, got 'first'"}};
        for (String[] e : argsAndError) {
            err.getBuffer().setLength(0);
            assertThat(run(e[0].split(" "))).as(e[0]).isEqualTo(2);
            assertThat(err.toString().lines()).as(e[0]).containsExactly(e[1]);
        }
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void shouldTakeNumbersAsUsersWriteThem() {
        assertThat(run("bench", "list", "--rounds", " 5 ", "--seed", "-7", "--rate", "2.5e3")).isZero();
        assertThat(err.toString()).isEmpty();
    }

    /** Without a command both printed the usage on stdout and exited 0, so a script calling them saw success. */
    @Test
    void shouldShowTheUsageOnStderrWithTheUsageStatusWhenNoCommandIsGiven() {
        assertThat(run()).isEqualTo(2);
        assertThat(err.toString()).startsWith("Usage: resh ").contains("serve", "cluster");
        assertThat(run("cluster")).isEqualTo(2);
        assertThat(err.toString()).contains("Usage: resh cluster ", "status", "leader");
        assertThat(out.toString()).isEmpty();
        assertThat(run("cluster", "--help")).as("asked for, the usage is still an answer").isZero();
        assertThat(out.toString()).startsWith("Usage: resh cluster ");
    }
}

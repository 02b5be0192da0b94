package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Every command answers a bad option in one shape, {@code resh COMMAND: --OPTION: expected WHAT, got VALUE}, and
 * picocli's own errors after the same name. The commands and their numeric options are read from the command
 * line's picocli model, so a command or option added later is held to it too.
 */
class OptionErrorsTest {
    /**
     * A value out of range for each numeric option, which the command refuses before it starts anything: the
     * command's words, the option, the value (and what the command needs after it, if anything).
     */
    private static final List<List<String>> OUT_OF_RANGE = List.of(
            List.of("demo", "--size", "-1"),
            List.of("demo", "--window", "0"),
            List.of("bench kv-small", "--rounds", "0"),
            List.of("bench kv-small", "--window", "0"),
            List.of("bench kv-small", "--connections", "0"),
            List.of("bench kv-small", "--rate", "0.0"),
            List.of("bench kv-small", "--checkpoint-every", "0"),
            List.of("bench recovery", "--state-mb", "2000"),
            List.of("campaign", "--replicas", "0"),
            List.of("campaign", "--injections", "0"),
            List.of("campaign", "--requests-per-injection", "10001"),
            List.of("campaign", "--overhead-requests", "5"),
            List.of("exec", "--replicas", "65", "--", "true"),
            List.of("kv", "--port", "0", "size"),
            List.of("call", "--port", "65536", "x"),
            List.of("serve none.yaml", "--port", "-1"),
            List.of("serve none.yaml", "--admin-port", "-2"),
            List.of("events", "--limit", "-1"),
            List.of("events", "--limit", "100001"),
            List.of("events", "--count", "0"));

    /** Numeric options that take any value of their type, or whose range only the server knows. */
    private static final Set<String> ANY_VALUE = Set.of("resh bench --seed", "resh campaign --seed",
            "resh inject --replica", "resh inject --arg");

    private record Run(int exit, List<String> err) {
    }

    /** {@code resh ARGS} through the real command line; resh exec writes to a stderr of its own, read here too. */
    private static Run resh(List<String> args) {
        ByteArrayOutputStream execErr = new ByteArrayOutputStream();
        CommandLine cl = Resh.commandLine(new CommandLine.IFactory() {
            @Override
            public <K> K create(Class<K> type) throws Exception {
                return type == ExecCommand.class
                        ? type.cast(new ExecCommand(InputStream.nullInputStream(), OutputStream.nullOutputStream(), execErr, true))
                        : CommandLine.defaultFactory().create(type);
            }
        });
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(new StringWriter(), true));
        cl.setErr(new PrintWriter(err, true));
        int exit = cl.execute(args.toArray(String[]::new));
        List<String> lines = new ArrayList<>(err.toString().lines().toList());
        lines.addAll(execErr.toString(StandardCharsets.UTF_8).lines().toList());
        return new Run(exit, lines);
    }

    /** Every command line, the root's first: {@code resh}, {@code resh demo}, ..., {@code resh cluster add}. */
    private static List<CommandLine> commands() {
        List<CommandLine> all = new ArrayList<>();
        collect(Resh.commandLine(), all);
        return all;
    }

    private static void collect(CommandLine cmd, List<CommandLine> into) {
        into.add(cmd);
        cmd.getSubcommands().values().stream().distinct()
                .filter(sub -> !(sub.getCommand() instanceof CommandLine.HelpCommand))
                .forEach(sub -> collect(sub, into));
    }

    /** The words after {@code resh} that name {@code cmd}: {@code cluster add} for {@code resh cluster add}. */
    private static List<String> words(CommandLine cmd) {
        List<String> words = new ArrayList<>(List.of(cmd.getCommandSpec().qualifiedName().split(" ")));
        return words.subList(1, words.size());
    }

    private static Class<?> numericType(OptionSpec o) {
        Class<?> type = o.isMultiValue() ? o.auxiliaryTypes()[0] : o.type();
        return List.of(int.class, Integer.class, long.class, Long.class, double.class, Double.class).contains(type)
                ? type : null;
    }

    /** Picocli said "'x' is not an int" and "expected a number" for 1e400: a Java type name, and nothing of what was wrong. */
    @Test
    void shouldSayWhatEveryNumericOptionOfEveryCommandExpectsOfAValueThatIsNoNumber() {
        int checked = 0;
        for (CommandLine cmd : commands()) {
            String command = cmd.getCommandSpec().qualifiedName();
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                Class<?> type = numericType(o);
                if (type == null) {
                    continue;
                }
                boolean decimal = type == double.class || type == Double.class;
                String tooLarge = decimal ? "1e400" : "99999999999999999999";
                // A whole number beyond its type is called too large, not given the type's range, which is not the
                // option's (--replicas takes 1 to 9, not up to 2147483647).
                String beyond = decimal ? "expected a number from -1.7e308 to 1.7e308, got '" + tooLarge + "'"
                        : "'" + tooLarge + "' is too large";
                for (String[] valueAndExpected : new String[][] {
                        {"x", "expected " + (decimal ? "a number" : "a whole number") + ", got 'x'"}, {tooLarge, beyond}}) {
                    List<String> args = new ArrayList<>(words(cmd));
                    args.addAll(List.of(o.longestName(), valueAndExpected[0]));
                    Run r = resh(args);

                    assertThat(r.exit()).as("exit status of resh %s", args).isEqualTo(2);
                    assertThat(r.err()).as("resh %s", args).containsExactly(command + ": " + o.longestName()
                            + ": " + valueAndExpected[1]);
                    checked++;
                }
            }
        }
        assertThat(checked).as("numeric options found (none means the search is broken)").isGreaterThan(20);
    }

    /** The same option out of range said "--window must be 1 to 10000", "must be at least 1" and "resh: --port". */
    @Test
    void shouldRefuseAValueOutOfRangeOfEveryNumericOptionOfEveryCommandInTheOneShape() {
        Set<String> listed = new TreeSet<>();
        for (List<String> c : OUT_OF_RANGE) {
            List<String> args = new ArrayList<>(List.of(c.get(0).split(" ")));
            args.addAll(c.subList(1, c.size()));
            String command = "resh " + args.get(0);
            String option = c.get(1);
            String value = c.get(2);
            Run r = resh(args);

            assertThat(r.exit()).as("exit status of resh %s", args).isEqualTo(2);
            assertThat(r.err()).as("resh %s", args).singleElement().asString()
                    .matches(Pattern.quote(command + ": " + option + ": expected ") + ".+" + Pattern.quote(", got " + value));
            listed.add(command + " " + option);
        }
        Set<String> numeric = new TreeSet<>();
        for (CommandLine cmd : commands()) {
            for (OptionSpec o : cmd.getCommandSpec().options()) {
                if (numericType(o) != null) {
                    numeric.add(cmd.getCommandSpec().qualifiedName() + " " + o.longestName());
                }
            }
        }
        numeric.removeAll(ANY_VALUE);
        assertThat(listed).as("numeric options with a value out of range above; a new one needs its case there,"
                + " or a place in ANY_VALUE").isEqualTo(numeric);
    }

    @Test
    void shouldNameTheSubcommandOfAnOptionItDoesNotHaveAndWhereItsOptionsAre() {
        Run r = resh(List.of("cluster", "remove", "h4", "--bogus"));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).containsExactly("resh cluster remove: unknown option: '--bogus'",
                "Try 'resh cluster remove --help' for its options.");
        Run missing = resh(List.of("cluster", "leader"));
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err()).containsExactly("resh cluster leader: missing required parameter: 'ID'",
                "Try 'resh cluster leader --help' for its options.");
    }

    /** A misspelt required option went unnamed: picocli said only that the real one was missing. */
    @Test
    void shouldNameAMisspeltOptionAlsoWhenARequiredOneIsMissing() {
        Run r = resh(List.of("inject", "crash", "--replcia", "1"));

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.err()).containsExactly("resh inject: unknown options: '--replcia', '1'",
                "Possible solutions: --replica", "resh inject: missing required option: '--replica=N'",
                "Try 'resh inject --help' for its options.");
    }

    /**
     * Picocli suggested only options that begin with a typo's first two letters: {@code --adminport} got a suggestion,
     * {@code --prot} none. A name one slip away gets one now; one that is no near miss still gets none.
     */
    @Test
    void shouldSuggestTheOptionThatAnUnknownOneMisspells() {
        assertThat(resh(List.of("serve", "x.yaml", "--prot", "1")).err()).startsWith("resh serve: unknown options: '--prot', '1'",
                "Possible solutions: --port");
        assertThat(resh(List.of("serve", "x.yaml", "--prot=1")).err()).containsExactly(
                "resh serve: unknown option: '--prot=1'", "Possible solutions: --port", "Try 'resh serve --help' for its options.");
        assertThat(resh(List.of("serve", "x.yaml", "--adminport", "1")).err()).contains("Possible solutions: --admin-port");
        assertThat(resh(List.of("serve", "x.yaml", "--JOIN")).err()).contains("Possible solutions: --join");
        assertThat(resh(List.of("serve", "x.yaml", "--proxy")).err()).containsExactly(
                "resh serve: unknown option: '--proxy'", "Try 'resh serve --help' for its options.");
        assertThat(resh(List.of("serve", "x.yaml", "--pid")).err()).as("too short to be sure of").noneMatch(
                l -> l.startsWith("Possible solutions"));
    }

    /** A zero timeout sent the request and gave up at once; a zero demo started a group and ran nothing. */
    @Test
    void shouldRefuseAZeroDurationWhereOnlyAPositiveOneMeansSomething() {
        assertThat(resh(List.of("call", "--timeout", "0s", "x"))).isEqualTo(new Run(2,
                List.of("resh call: --timeout: expected a positive duration, got 0ms")));
        assertThat(resh(List.of("demo", "--duration", "0s"))).isEqualTo(new Run(2,
                List.of("resh demo: --duration: expected a positive duration, got 0ms")));
    }

    /** Picocli's own errors said "resh: Unknown option", whichever command it was about. */
    @Test
    void shouldPutTheCommandNameBeforePicocliOwnErrorsOfEveryCommand() {
        for (CommandLine cmd : commands()) {
            String command = cmd.getCommandSpec().qualifiedName();
            List<String> args = new ArrayList<>(words(cmd));
            args.add("--bogus");
            Run r = resh(args);

            assertThat(r.exit()).as(command).isEqualTo(2);
            // A command with a required argument or option says first that it is missing; either is about it.
            assertThat(r.err()).as(command).hasSizeBetween(2, 4).first().asString().startsWith(command + ": ");
            assertThat(r.err()).as(command).last().isEqualTo("Try '" + command + " --help' for its options.");
        }
    }
}

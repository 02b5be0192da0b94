package io.resh.cli;

import io.resh.core.FileErrors;
import io.resh.core.ReshException;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code resh} command. */
@Command(name = "resh", mixinStandardHelpOptions = true, versionProvider = Resh.Version.class,
        description = {"Redundant Execution on a Single Host: run a service as N isolated replicas,",
                "vote on every reply, mask and repair the replica that crashed, hung or",
                "silently computed garbage."},
        subcommands = {DemoCommand.class, ServeCommand.class, ExecCommand.class, CampaignCommand.class, BenchCommand.class, StatusCommand.class, InjectCommand.class,
                EventsCommand.class, CallCommand.class, KvCommand.class, ClusterCommand.class,
                CommandLine.HelpCommand.class})
public final class Resh implements java.util.concurrent.Callable<Integer> {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) throws InterruptedException {
        String level = System.getenv("RESH_LOG_LEVEL");
        if (level != null && !List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF").contains(level.toUpperCase(Locale.ROOT))) {
            // logback takes a level it does not know for DEBUG, and the user asked for less, if anything
            System.err.println("resh: RESH_LOG_LEVEL: expected TRACE, DEBUG, INFO, WARN, ERROR or OFF, got '" + level + "'");
            System.exit(2);
        }
        int status = commandLine().execute(args);
        if (shuttingDown()) {
            // A signal (Ctrl-C, a hang-up, SIGTERM) began the JVM's exit while the command ran, and its exit hooks
            // stopped the command (resh exec's killed the replicas, whose exit 137 was then voted). That exit's
            // status, 128 + the signal, is the answer: an exit() now could halt with this one once the hooks end.
            Thread.currentThread().join();
        }
        System.exit(status);
    }

    /** True once the JVM has begun to exit (its shutdown hooks run, so no more may be added). */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /**
     * The message of an error a user can act on. An UncheckedIOException's own message is its cause's
     * toString(), class name and all; a file-system error without a reason names only the file; a remote
     * error (a service's exception message) is kept on one line.
     */
    static String oneLine(Exception ex) {
        if (ex instanceof io.resh.client.ReshRemoteException) {
            // The text of a service's exception, which may span lines: kept on the one line, its breaks shown.
            return ex.getMessage().replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\r");
        }
        if (!(ex instanceof java.io.UncheckedIOException) || ex.getCause() == null) {
            return ex.getMessage();
        }
        Throwable cause = ex.getCause();
        if (cause instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            return FileErrors.describe(f);
        }
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    /** The configured command line (also used by tests). */
    public static CommandLine commandLine() {
        return commandLine(CommandLine.defaultFactory());
    }

    /**
     * The configured command line, its commands made by {@code factory}: a test gives {@code resh exec} the
     * streams it reads and writes.
     */
    static CommandLine commandLine(CommandLine.IFactory factory) {
        CommandLine cl = new CommandLine(new Resh(), factory);
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            // Errors a user can act on get one line; anything else keeps its stack trace for a bug report. A bad
            // option value a command checks itself is a ConfigException naming the option ("--window: expected 1 to
            // 10000, got 0"): with the command's name first it reads as a value picocli could not convert.
            if (ex instanceof ReshException || ex instanceof IllegalArgumentException
                    || ex instanceof java.io.UncheckedIOException || ex instanceof io.resh.client.ReshRemoteException) {
                cmd.getErr().println(cmd.getCommandSpec().qualifiedName() + ": " + oneLine(ex));
                return 2;
            }
            throw ex;
        });
        convertNumbers(cl);
        cl.setParameterExceptionHandler((ex, args) -> {
            // A mistyped option is answered with what was wrong and where the usage is, not 30 lines of it.
            CommandLine cmd = ex.getCommandLine();
            String command = cmd.getCommandSpec().qualifiedName();
            if (ex.getCause() instanceof CommandLine.TypeConversionException wrongValue && ex.getArgSpec() != null) {
                // The value's own error says what was expected and what was given: with the option named, that is
                // the whole answer, as for the options each command checks itself ("resh bench: --duration: ...").
                CommandLine.Model.ArgSpec arg = ex.getArgSpec();
                String name = arg instanceof CommandLine.Model.OptionSpec option ? option.longestName() : arg.paramLabel();
                cmd.getErr().println(command + ": " + name + ": " + wrongValue.getMessage());
                return cmd.getCommandSpec().exitCodeOnInvalidInput();
            }
            if (!(ex instanceof CommandLine.UnmatchedArgumentException) && !cmd.getUnmatchedArguments().isEmpty()) {
                // A misspelt required option is missing as well as unknown; picocli names only the missing one, so
                // "--replcia 1" read as "missing required option: '--replica=N'", the typo unnamed.
                CommandLine.UnmatchedArgumentException unmatched =
                        new CommandLine.UnmatchedArgumentException(cmd, cmd.getUnmatchedArguments());
                cmd.getErr().println(command + ": " + lowerFirst(unmatched.getMessage()));
                printSuggestions(unmatched, cmd.getErr());
            }
            cmd.getErr().println(command + ": " + lowerFirst(ex.getMessage()));
            printSuggestions(ex, cmd.getErr());
            cmd.getErr().println("Try '" + command + " --help' for its options.");
            return cmd.getCommandSpec().exitCodeOnInvalidInput();
        });
        return cl;
    }

    /**
     * Picocli's suggestions, except that a misspelt option is first matched against every option's name: picocli
     * offers only the options whose names begin with the typo's first two letters, so {@code --adminport} got
     * {@code --admin-port} but {@code --prot} got nothing.
     */
    static void printSuggestions(CommandLine.ParameterException ex, java.io.PrintWriter err) {
        if (ex instanceof CommandLine.UnmatchedArgumentException u && u.isUnknownOption()) {
            List<String> close = closeOptionNames(u.getUnmatched().get(0), u.getCommandLine().getCommandSpec());
            if (!close.isEmpty()) {
                err.println("Possible solutions: " + String.join(", ", close));
                err.flush();
                return;
            }
        }
        CommandLine.UnmatchedArgumentException.printSuggestions(ex, err);
    }

    /**
     * The visible long options of {@code spec} that {@code typed} ({@code --prot}, {@code --prot=1}) misspells: one
     * letter wrong, missing, extra, or two swapped (two such slips in a name of 8 letters or more), closest first.
     * A short name gets none: "one letter off" would match nearly anything of three letters.
     */
    static List<String> closeOptionNames(String typed, CommandLine.Model.CommandSpec spec) {
        int eq = typed.indexOf('=');
        String word = (eq < 0 ? typed : typed.substring(0, eq)).replaceFirst("^-+", "").toLowerCase(java.util.Locale.ROOT);
        java.util.TreeMap<Integer, java.util.TreeSet<String>> byDistance = new java.util.TreeMap<>();
        for (CommandLine.Model.OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            for (String name : option.names()) {
                String bare = name.replaceFirst("^-+", "").toLowerCase(java.util.Locale.ROOT);
                if (!name.startsWith("--") || bare.length() < 4) {
                    continue;
                }
                int d = editDistance(word, bare);
                if (d <= (bare.length() >= 8 ? 2 : 1)) { // 0: a name in other case (--Port)
                    byDistance.computeIfAbsent(d, k -> new java.util.TreeSet<>()).add(name);
                }
            }
        }
        List<String> out = new java.util.ArrayList<>();
        byDistance.values().forEach(out::addAll);
        return out.subList(0, Math.min(3, out.size()));
    }

    /** Letters to change, insert or delete, or adjacent pairs to swap, to make {@code a} into {@code b}. */
    static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    /** Picocli's "Unknown option: ..." after a command's name, as resh's own errors read: "resh status: unknown option". */
    private static String lowerFirst(String message) {
        if (message == null || message.length() < 2 || !Character.isLowerCase(message.charAt(1))) {
            return message; // an acronym, or nothing to lower
        }
        return Character.toLowerCase(message.charAt(0)) + message.substring(1);
    }

    /**
     * Every numeric option of every command says what it expected; picocli's own conversions answer "'x' is not
     * an int", a Java type name. Registered on the root, they reach all subcommands.
     */
    private static void convertNumbers(CommandLine cl) {
        CommandLine.ITypeConverter<Integer> anInt = v -> (int) wholeNumber(v, Integer.MIN_VALUE, Integer.MAX_VALUE);
        CommandLine.ITypeConverter<Long> aLong = v -> wholeNumber(v, Long.MIN_VALUE, Long.MAX_VALUE);
        cl.registerConverter(Integer.class, anInt);
        cl.registerConverter(int.class, anInt);
        cl.registerConverter(Long.class, aLong);
        cl.registerConverter(long.class, aLong);
        cl.registerConverter(Double.class, Resh::number);
        cl.registerConverter(double.class, Resh::number);
    }

    /** A whole number from min to max (the type's range); surrounding blanks, as a quoted value may have, are no error. */
    static long wholeNumber(String value, long min, long max) {
        String digits = value.strip();
        // Long.parseLong takes any script's digits: only the ones a user types here are a number.
        if (!digits.matches("[-+]?[0-9]+")) {
            throw new CommandLine.TypeConversionException("expected a whole number, got '" + value + "'");
        }
        try {
            long n = Long.parseLong(digits);
            if (n >= min && n <= max) {
                return n;
            }
        } catch (NumberFormatException beyondLong) {
            // out of range, as said below
        }
        // Not "from -2147483648 to 2147483647": that is the type's range, not the option's (--replicas takes 1 to 9),
        // and the option's own check never sees a value this far out.
        throw new CommandLine.TypeConversionException("'" + value + "' is too " + (digits.startsWith("-") ? "small" : "large"));
    }

    /**
     * A finite decimal number such as {@code 2.5} or {@code 1e3}. Double.parseDouble would also take NaN,
     * Infinity, hexadecimal and a trailing d or f, which no option means.
     */
    static double number(String value) {
        java.math.BigDecimal n;
        try {
            n = new java.math.BigDecimal(value.strip());
        } catch (NumberFormatException notANumber) {
            throw new CommandLine.TypeConversionException("expected a number, got '" + value + "'");
        }
        double d = n.doubleValue();
        if (!Double.isFinite(d)) {
            // 1e400 is a number, only past what a double holds: say where the numbers end, as for a whole number
            // (rounded down: Double.MAX_VALUE's seventeen digits would say no more to a user)
            throw new CommandLine.TypeConversionException("expected a number from -1.7e308 to 1.7e308, got '" + value + "'");
        }
        return d;
    }

    /** Without a command: the usage on stderr and the usage status, so that a script notices. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return spec.exitCodeOnInvalidInput();
    }

    /** Reports the version from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Resh.class.getPackage().getImplementationVersion();
            return new String[] {"resh " + (v == null ? "development build" : v)};
        }
    }
}

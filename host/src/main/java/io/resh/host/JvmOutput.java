package io.resh.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntPredicate;

/**
 * The options that keep everything a replica's JVM prints by itself off its stdout. Without Perl a replica's
 * fd 1 is its IPC channel to the host ({@link ReplicaPipes} moves it elsewhere when Perl is there): one GC log
 * line there is read as a broken frame, the replica is declared faulty, and a replica that logs at every start
 * never joins. So HotSpot's own output goes to stderr, the replica's log file, like the service's
 * {@code System.out}; with the channel moved, fd 1 is that log anyway and these options change nothing.
 *
 * <p>HotSpot prints on stdout in two ways. Unified logging: {@code -Xlog} without an output, {@code
 * -verbose:gc}, the deprecated {@code -XX:+PrintGC}, and the default configuration, which logs every
 * warning (CDS, code cache, large pages) to stdout. And "tty" output: {@code -XX:+PrintCompilation},
 * {@code -XX:+PrintFlagsFinal}, the banner of a crash. The options of {@link #PROTECTIVE} come first and
 * move the defaults; the user's options come after, so that their own {@code -Xlog} to a file or stderr
 * applies, and those of them that name stdout, explicitly or by default, are rewritten to name stderr.
 *
 * <p>A third way: a flight recording started by {@code -XX:StartFlightRecording} prints its start message on
 * stdout whenever {@code jfr+startup} logs warnings anywhere (HotSpot's {@code jfrDcmds.cpp} points stdout
 * at it for that message, so that it shows by default), and the protective options log every warning to
 * stderr. With such a recording, {@link #QUIET_RECORDING_START} comes after the user's options: the
 * recording runs and is written as asked, its start message is not printed anywhere (no configuration sends
 * it to stderr alone).
 *
 * <p>Not covered: options that print and exit before the rest is read ({@code -XX:+PrintFlagsInitial},
 * {@code -Xlog:help}): such a replica never runs anyway. Options from an options file are not rewritten,
 * and a user's own {@code -Xlog:jfr+startup} at warning or finer to a file brings the start message back
 * to stdout.
 * {@code _JAVA_OPTIONS}, which HotSpot reads after the command line, is rewritten in the replica's
 * environment ({@link #environmentOptions}); {@code JAVA_TOOL_OPTIONS} and {@code JDK_JAVA_OPTIONS} are
 * read before it, so the protective options already apply to them.
 */
final class JvmOutput {
    /**
     * Before the user's options. {@code -Xlog:all=off:stdout} rather than {@code -Xlog:disable}: it leaves
     * alone whatever was configured for other outputs before the command line, such as a GC log file given
     * through {@code JAVA_TOOL_OPTIONS}.
     */
    static final List<String> PROTECTIVE = List.of(
            "-XX:+DisplayVMOutputToStderr", // tty output, including the crash banner
            "-Xlog:all=off:stdout", // the default configuration's warnings...
            "-Xlog:all=warning:stderr"); // ...still reach the replica log

    /** After the user's options when they start a flight recording; see the class comment. */
    static final String QUIET_RECORDING_START = "-Xlog:jfr+startup=error:stderr";

    private static final String START_RECORDING = "-XX:StartFlightRecording";

    private static final String XLOG = "-Xlog";
    private static final String STDERR = "stderr";

    /** Options that write to stdout without naming it, and what writes the same to stderr. */
    private static final Map<String, String> IMPLICIT_STDOUT = Map.of(
            // HotSpot's own expansions (arguments.cpp); bare -verbose means classes
            "-verbose", "-Xlog:class+load=info,class+unload=info:stderr",
            "-verbose:class", "-Xlog:class+load=info,class+unload=info:stderr",
            "-verbose:module", "-Xlog:module+load=info,module+unload=info:stderr",
            "-verbose:gc", "-Xlog:gc:stderr",
            "-verbose:jni", "-Xlog:jni+resolve=debug:stderr",
            "-XX:+DisplayVMOutputToStdout", "-XX:+DisplayVMOutputToStderr",
            "-XX:+ErrorFileToStdout", "-XX:+ErrorFileToStderr",
            // the launcher prints the version on stdout for --show-version, on stderr for -showversion
            "--show-version", "-showversion");

    /** Deprecated GC flags that log to stdout, unless -Xloggc names a file for them. */
    private static final Map<String, String> PRINT_GC = Map.of(
            "-XX:+PrintGC", "-Xlog:gc:stderr",
            "-XX:+PrintGCDetails", "-Xlog:gc*:stderr");

    private JvmOutput() {
    }

    /** The protective options followed by {@code jvmArgs}, each rewritten by {@link #toStderr}. */
    static List<String> options(List<String> jvmArgs) {
        return options(jvmArgs, Map.of());
    }

    /**
     * As {@link #options(List)}, for a JVM started with {@code environment}: a recording started from one of
     * the variables HotSpot reads before the command line counts as one started on it.
     */
    static List<String> options(List<String> jvmArgs, Map<String, String> environment) {
        List<String> options = new ArrayList<>(PROTECTIVE);
        options.addAll(rewritten(jvmArgs));
        boolean early = EARLY_OPTIONS_VARIABLES.stream().map(environment::get).anyMatch(v -> {
            List<String> parsed = v == null ? null : split(v, Character::isWhitespace);
            return parsed != null && startsRecording(parsed);
        });
        if (early || startsRecording(jvmArgs)) {
            options.add(QUIET_RECORDING_START);
        }
        return options;
    }

    /** {@code -XX:StartFlightRecording}, alone or followed by '=' or ':' and its settings. */
    private static boolean startsRecording(List<String> args) {
        return args.stream().anyMatch(a -> a.equals(START_RECORDING) || a.startsWith(START_RECORDING + "=")
                || a.startsWith(START_RECORDING + ":"));
    }

    private static List<String> rewritten(List<String> args) {
        boolean gcLogFile = args.stream().anyMatch(a -> a.startsWith("-Xloggc:"));
        List<String> rewritten = new ArrayList<>();
        for (String arg : args) {
            rewritten.add(toStderr(arg, gcLogFile));
        }
        return rewritten;
    }

    /**
     * {@code arg} with stdout replaced by stderr as its output; unchanged if it does not print to stdout.
     *
     * @param gcLogFile whether the options include {@code -Xloggc:FILE}, which takes the output of
     *     {@code -XX:+PrintGC} and {@code -XX:+PrintGCDetails}
     */
    static String toStderr(String arg, boolean gcLogFile) {
        String implicit = IMPLICIT_STDOUT.get(arg);
        if (implicit != null) {
            return implicit;
        }
        if (!gcLogFile && PRINT_GC.containsKey(arg)) {
            return PRINT_GC.get(arg);
        }
        if (arg.equals(XLOG)) {
            // what HotSpot's help says bare -Xlog means, on stderr
            return "-Xlog:all=info:stderr:uptime,level,tags";
        }
        if (arg.startsWith(XLOG + ":")) {
            return xlogToStderr(arg);
        }
        return arg;
    }

    /** The environment variables HotSpot reads before the command line. */
    static final List<String> EARLY_OPTIONS_VARIABLES = List.of("JAVA_TOOL_OPTIONS", "JDK_JAVA_OPTIONS");

    /** The environment variable HotSpot reads after the command line. */
    static final String LATE_OPTIONS_VARIABLE = "_JAVA_OPTIONS";

    /**
     * {@code value} of {@link #LATE_OPTIONS_VARIABLE} with each option rewritten by {@link #toStderr}; options
     * are separated by white space outside double quotes, as HotSpot separates them.
     */
    static String environmentOptions(String value) {
        List<String> options = split(value, Character::isWhitespace);
        if (options == null) {
            return value; // an unterminated quote: the JVM reports it
        }
        options.removeIf(String::isEmpty);
        List<String> rewritten = rewritten(options);
        if (startsRecording(options)) {
            rewritten.add(QUIET_RECORDING_START);
        }
        return String.join(" ", rewritten);
    }

    /** -Xlog:[what][:[output][:[decorators][:output-options]]], where an empty or missing output is stdout. */
    private static String xlogToStderr(String arg) {
        String tail = arg.substring(XLOG.length() + 1);
        if (tail.equals("disable") || tail.equals("help") || tail.equals("async") || tail.startsWith("async:")) {
            return arg;
        }
        List<String> fields = split(tail, c -> c == ':');
        if (fields == null) {
            return arg; // an unterminated quote: the JVM reports it
        }
        if (fields.size() == 1) {
            return arg + ":" + STDERR;
        }
        String output = fields.get(1);
        // "#0" is stdout by index; anything else (stderr, file=..., a plain or quoted file name) is kept
        if (!output.isEmpty() && !output.equals("stdout") && !output.equals("#0")) {
            return arg;
        }
        fields.set(1, STDERR);
        return XLOG + ":" + String.join(":", fields);
    }

    /**
     * {@code s} cut at every character {@code separator} accepts outside double quotes (empty parts kept), or
     * null if a quote is not closed. A quoted file name may hold ':' or spaces.
     */
    private static List<String> split(String s, IntPredicate separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder part = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (separator.test(c) && !quoted) {
                parts.add(part.toString());
                part.setLength(0);
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            part.append(c);
        }
        parts.add(part.toString());
        return quoted ? null : parts;
    }
}

package io.resh.core;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses the human durations used in configs and flags: {@code 250ms}, {@code 2s}, {@code 5m}, {@code 1h}. */
public final class Durations {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");
    /**
     * The longest duration accepted, about 11 years. Deadlines are kept as {@code System.nanoTime()} plus a
     * duration in nanoseconds, which overflows past ~292 years; nothing resh times needs more than this.
     */
    public static final Duration MAX = Duration.ofHours(100_000);

    private Durations() {
    }

    /**
     * @param field the config field, named in the error
     * @throws ConfigException if {@code text} is not a number followed by ms, s, m or h, or is longer than {@link #MAX}
     */
    public static Duration parse(String field, String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new ConfigException(field, "expected a duration like 250ms, 2s, 5m or 1h, got '" + text + "'");
        }
        Duration d;
        try {
            long n = Long.parseLong(m.group(1));
            d = switch (m.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofHours(n);
            };
        } catch (NumberFormatException | ArithmeticException e) {
            d = null; // more digits than a long holds, or more seconds than a Duration: too long either way
        }
        if (d == null || d.compareTo(MAX) > 0) {
            throw ConfigException.expected(field, "at most " + format(MAX) + " (about 11 years)", "'" + text.trim() + "'");
        }
        return d;
    }

    /** The inverse of {@link #parse}, choosing the largest exact unit (a negative one gets a minus sign). */
    public static String format(Duration d) {
        if (d.isNegative()) {
            return "-" + format(d.negated());
        }
        long ms = d.toMillis();
        if (ms % 3_600_000 == 0 && ms > 0) {
            return ms / 3_600_000 + "h";
        }
        if (ms % 60_000 == 0 && ms > 0) {
            return ms / 60_000 + "m";
        }
        if (ms % 1000 == 0 && ms > 0) {
            return ms / 1000 + "s";
        }
        return ms + "ms";
    }
}

package io.resh.core;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses byte sizes in configs: {@code 65536}, {@code 64KiB}, {@code 16MiB}, {@code 1GiB} (also KB/MB/GB, k/m/g as binary units). */
public final class ByteSizes {
    private static final Pattern FORMAT = Pattern.compile("(\\d+)\\s*([kmg]?)(i?b)?", Pattern.CASE_INSENSITIVE);

    private ByteSizes() {
    }

    /**
     * @param field named in the error, e.g. {@code limits.maxRequestBytes}
     * @throws ConfigException for text that is no size, or one beyond a long
     */
    public static long parse(String field, String text) {
        Matcher m = FORMAT.matcher(text == null ? "" : text.trim());
        if (!m.matches()) {
            throw new ConfigException(field, "expected a size like 65536, 64KiB, 16MiB or 1GiB, got '" + text + "'");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            throw new ConfigException(field, "size is too large: '" + text + "'");
        }
        int shift = switch (m.group(2).toLowerCase(Locale.ROOT)) {
            case "k" -> 10;
            case "m" -> 20;
            case "g" -> 30;
            default -> 0;
        };
        if (n > (Long.MAX_VALUE >> shift)) {
            throw new ConfigException(field, "size is too large: '" + text + "'");
        }
        return n << shift;
    }

    /** {@code 16MiB}, {@code 64KiB}, {@code 1000 bytes} or {@code 1 byte}: the largest binary unit that divides it. */
    public static String format(long bytes) {
        if (bytes > 0 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + "GiB";
        }
        if (bytes > 0 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + "MiB";
        }
        if (bytes > 0 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + "KiB";
        }
        return bytes == 1 ? "1 byte" : bytes + " bytes";
    }
}

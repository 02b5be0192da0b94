package io.resh.host;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code -Dresh.*} tuning properties of docs/CONFIGURATION.md, read with their bounds. {@link Long#getLong}
 * takes a value it cannot parse for the default without a word, so a typo ({@code -Dresh.replica.sharedBytes=4m})
 * looked applied; a value out of range was used as given. Either now gets a warning naming the property and the
 * value used instead.
 */
final class TuningProperty {
    private static final Logger LOG = LoggerFactory.getLogger(TuningProperty.class);

    private TuningProperty() {
    }

    /** The property as a whole number from {@code min} to {@code max}; {@code otherwise} if unset or not one. */
    static long number(String name, long otherwise, long min, long max) {
        String text = System.getProperty(name);
        if (text == null) {
            return otherwise;
        }
        try {
            long value = Long.parseLong(text.trim());
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // said below, with the range
        }
        LOG.warn("-D{}={} is not a whole number from {} to {}; using {}", name, text, min, max, otherwise);
        return otherwise;
    }

    /** The property as one of {@code allowed}; {@code otherwise} if unset or another value. */
    static String choice(String name, String otherwise, List<String> allowed) {
        String text = System.getProperty(name);
        if (text == null) {
            return otherwise;
        }
        if (allowed.contains(text.trim())) {
            return text.trim();
        }
        LOG.warn("-D{}={} is not one of {}; using {}", name, text, String.join(", ", allowed), otherwise);
        return otherwise;
    }
}

package io.resh.campaign;

import java.time.Duration;

/** Human-readable durations for tables and progress lines. */
final class Elapsed {
    private Elapsed() {
    }

    /** "950 ms", "42 s", "6 min 12 s". */
    static String human(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        long s = Math.round(ms / 1000.0);
        return s < 60 ? s + " s" : (s / 60) + " min " + (s % 60) + " s";
    }
}

package io.resh.campaign;

import java.util.Locale;

/**
 * What one injected fault led to, as the client and the end-of-window state check saw it. Exactly one
 * per injection; the order is the precedence of the classification (worst first is not implied).
 */
public enum Outcome {
    /** Every reply correct and the fault never noticed: it had no effect, or voting hid it silently. */
    MASKED("masked", true),
    /** Every reply correct; the host detected the fault and the faulty replica recovered. */
    DETECTED_CORRECTED("corrected", true),
    /** The client got a clear fail-stop error and never a wrong value: the DMR outcome. */
    DETECTED_FAIL_STOP("fail-stop", true),
    /** Every reply correct and the fault detected, but the faulty replica did not rejoin in time. */
    DETECTED_UNRECOVERED("unrecovered", false),
    /** A wrong reply reached the client. */
    SILENT_DATA_CORRUPTION("sdc", false),
    /** A request timed out or failed without a voted answer. */
    UNAVAILABLE("unavailable", false),
    /** Corrupted state (or a stuck replica) that nothing caught before the window ended. */
    LATENT("latent", false);

    private final String label;
    private final boolean safe;

    Outcome(String label, boolean safe) {
        this.label = label;
        this.safe = safe;
    }

    /** Short name used in JSON, tables and the CLI. */
    public String label() {
        return label;
    }

    /** True when the client never saw a wrong value and no fault was left behind. */
    public boolean safe() {
        return safe;
    }

    /** True when the host noticed the fault (whatever it then managed to do about it). */
    public boolean detected() {
        return this == DETECTED_CORRECTED || this == DETECTED_FAIL_STOP || this == DETECTED_UNRECOVERED;
    }

    public static Outcome parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        for (Outcome o : values()) {
            if (o.label.equals(t) || o.name().equalsIgnoreCase(t)) {
                return o;
            }
        }
        throw new IllegalArgumentException("unknown outcome '" + text + "'");
    }
}

package io.resh.host;

/**
 * Adaptive redundancy: run DMR (two replicas, both must agree) to save a core, escalate to TMR on the
 * first divergence (a third replica, dormant until then, restores the stable checkpoint, replays and
 * arbitrates), and drop back to DMR after a quiet period without faults. Clients never get an unvoted
 * reply in either mode: DMR releases only what both replicas said, TMR what two of three said. Pure.
 */
final class RedundancyPolicy {
    enum Mode {
        DMR, TMR;

        String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final boolean adaptive;
    private final long quietNanos;
    private Mode mode;
    private long lastTroubleNanos;

    /** @param adaptive false: always TMR (or whatever N is), never switching */
    RedundancyPolicy(boolean adaptive, long quietNanos) {
        this.adaptive = adaptive;
        this.quietNanos = quietNanos;
        this.mode = adaptive ? Mode.DMR : Mode.TMR;
    }

    boolean adaptive() {
        return adaptive;
    }

    Mode mode() {
        return mode;
    }

    /** The two active replicas disagreed. True if this escalates DMR to TMR (wake the third). */
    boolean divergence(long now) {
        lastTroubleNanos = now;
        if (adaptive && mode == Mode.DMR) {
            mode = Mode.TMR;
            return true;
        }
        return false;
    }

    /** Any fault while escalated restarts the quiet period. */
    void fault(long now) {
        lastTroubleNanos = now;
    }

    /** True once an escalated group has been quiet long enough with every replica active: drop to DMR. */
    boolean shouldDeescalate(long now, boolean allActive) {
        if (!adaptive || mode != Mode.TMR) {
            return false;
        }
        if (!allActive) {
            lastTroubleNanos = now; // the quiet period counts from when every replica is back
            return false;
        }
        if (now - lastTroubleNanos >= quietNanos) {
            mode = Mode.DMR;
            return true;
        }
        return false;
    }
}

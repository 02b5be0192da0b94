package io.resh.host;

import java.time.Duration;

/**
 * When to replace a healthy replica by a fresh one (Minix3's and VM-FIT's proactive restarts): one
 * replica every period, round-robin over the slots, and only when the group can spare it — nobody else
 * is being replaced and the others still reach a quorum. A latent fault the vote has not seen yet (a
 * leak, a corrupted cache that no request has touched) is cleared without waiting for it to show. Pure.
 */
final class RejuvenationSchedule {
    private long periodNanos;
    private long dueNanos;
    private int next;

    RejuvenationSchedule(Duration period, long now) {
        setPeriod(period, now);
    }

    /** {@link Duration#ZERO} turns rejuvenation off; otherwise the first one is one period from now. */
    void setPeriod(Duration period, long now) {
        if (period.isNegative()) {
            throw new IllegalArgumentException("rejuvenation period must be >= 0, got " + period);
        }
        this.periodNanos = period.toNanos();
        this.dueNanos = now + periodNanos;
    }

    Duration period() {
        return Duration.ofNanos(periodNanos);
    }

    boolean enabled() {
        return periodNanos > 0;
    }

    /**
     * The slot to rejuvenate now, or -1.
     *
     * @param active which slots are active (voting, caught up)
     * @param recovering true while any slot is starting, restoring or catching up
     * @param needed replies needed for a decision: the live replicas left must still reach it
     */
    int due(long now, boolean[] active, boolean recovering, int needed) {
        if (!enabled() || now < dueNanos || recovering) {
            return -1;
        }
        int live = 0;
        for (boolean a : active) {
            live += a ? 1 : 0;
        }
        if (live - 1 < needed) {
            return -1;
        }
        for (int k = 0; k < active.length; k++) {
            int slot = Math.floorMod(next + k, active.length);
            if (active[slot]) {
                return slot;
            }
        }
        return -1;
    }

    /** {@code slot} is being rejuvenated: the next one is due one period from now. */
    void started(int slot, long now) {
        next = slot + 1;
        dueNanos = now + periodNanos;
    }

    /** Nanoseconds until the next rejuvenation is due (negative when overdue); for status. */
    long dueIn(long now) {
        return dueNanos - now;
    }
}

package io.resh.host;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Restart intensity as Erlang/OTP supervisors know it, one level deeper. More than {@code maxPerSlot}
 * restarts of one slot within the window back that slot off (1 s, 2 s, 4 s ... up to the maximum); more
 * than {@code maxPerVersion} restarts of all slots running one version within the window quarantine the
 * version for a while. A crash loop therefore never turns into a fork bomb: restarts of a slot are
 * bounded by the back-off, and a version that keeps failing leaves service. Pure: time is passed in.
 */
final class RestartIntensity {
    /**
     * What one restart leads to.
     *
     * @param backoffNanos wait this long before starting the slot again (0 = start now)
     * @param quarantine the slot's version has just been quarantined
     */
    record Verdict(int slotRestarts, int versionRestarts, long backoffNanos, boolean quarantine) {
        boolean backOff() {
            return backoffNanos > 0;
        }
    }

    private final int maxPerSlot;
    private final int maxPerVersion;
    private final long windowNanos;
    private final long maxBackoffNanos;
    private final long quarantineNanos;
    private final ArrayDeque<Long>[] slotRestarts;
    private final int[] backoffLevel;
    private final Map<String, ArrayDeque<Long>> versionRestarts = new HashMap<>();
    private final Map<String, Long> quarantinedUntil = new HashMap<>();

    @SuppressWarnings({"unchecked", "rawtypes"})
    RestartIntensity(int slots, int maxPerSlot, int maxPerVersion, long windowNanos, long maxBackoffNanos,
                     long quarantineNanos) {
        this.maxPerSlot = maxPerSlot;
        this.maxPerVersion = maxPerVersion;
        this.windowNanos = windowNanos;
        this.maxBackoffNanos = maxBackoffNanos;
        this.quarantineNanos = quarantineNanos;
        this.slotRestarts = new ArrayDeque[slots];
        for (int i = 0; i < slots; i++) {
            slotRestarts[i] = new ArrayDeque<>();
        }
        this.backoffLevel = new int[slots];
    }

    /** Records a restart of {@code slot}, which ran {@code version}, and says what follows. */
    Verdict restarted(int slot, String version, long now) {
        ArrayDeque<Long> s = slotRestarts[slot];
        s.addLast(now);
        prune(s, now);
        ArrayDeque<Long> v = versionRestarts.computeIfAbsent(version, k -> new ArrayDeque<>());
        v.addLast(now);
        prune(v, now);
        int sc = s.size();
        int vc = v.size();
        boolean quarantine = false;
        if (vc > maxPerVersion && !quarantined(version, now)) {
            quarantinedUntil.put(version, now + quarantineNanos);
            v.clear(); // released versions start with a clean slate
            quarantine = true;
        }
        // Once backed off, a slot that has not rejoined the vote since gets no free restarts: every further
        // restart waits longer, whatever the window says.
        long backoff = sc > maxPerSlot || backoffLevel[slot] > 0 ? backoff(slot) : 0;
        return new Verdict(sc, vc, backoff, quarantine);
    }

    /** The next back-off of {@code slot} (also for a process that could not even be started). */
    long backoff(int slot) {
        int level = Math.min(30, backoffLevel[slot]++);
        long base = 1_000_000_000L << Math.min(level, 20);
        return Math.min(maxBackoffNanos, base);
    }

    /**
     * Takes back one restart of {@code slot} (running {@code version}) counted at or after {@code sinceNanos}:
     * it was caused by a request of death, not by the slot or its version. The earliest such restart goes.
     */
    void forgive(int slot, String version, long sinceNanos) {
        removeFirstSince(slotRestarts[slot], sinceNanos);
        ArrayDeque<Long> v = versionRestarts.get(version);
        if (v != null) {
            removeFirstSince(v, sinceNanos);
        }
    }

    private static void removeFirstSince(ArrayDeque<Long> times, long sinceNanos) {
        var it = times.iterator();
        while (it.hasNext()) {
            if (it.next() >= sinceNanos) {
                it.remove();
                return;
            }
        }
    }

    /** Restarts of the slot within the window ending now. */
    int slotRestarts(int slot, long now) {
        prune(slotRestarts[slot], now);
        return slotRestarts[slot].size();
    }

    /** The slot rejoined the vote: its back-off starts from 1 s again. */
    void recovered(int slot) {
        backoffLevel[slot] = 0;
    }

    boolean quarantined(String version, long now) {
        Long until = quarantinedUntil.get(version);
        return until != null && now < until;
    }

    /** When the version's quarantine ends, or 0 if it is not quarantined. */
    long quarantinedUntil(String version, long now) {
        return quarantined(version, now) ? quarantinedUntil.get(version) : 0;
    }

    /** Versions whose quarantine ended at or before {@code now}; each is reported once. */
    java.util.List<String> released(long now) {
        java.util.List<String> out = new java.util.ArrayList<>();
        quarantinedUntil.entrySet().removeIf(e -> {
            if (now >= e.getValue()) {
                out.add(e.getKey());
                return true;
            }
            return false;
        });
        return out;
    }

    /** Restarts of the version within the window ending now. */
    int recentRestarts(String version, long now) {
        ArrayDeque<Long> v = versionRestarts.get(version);
        if (v == null) {
            return 0;
        }
        prune(v, now);
        return v.size();
    }

    private void prune(ArrayDeque<Long> times, long now) {
        while (!times.isEmpty() && (now - times.peekFirst() > windowNanos || times.peekFirst() > now)) {
            times.pollFirst(); // (a time from the future is corrupted bookkeeping: drop it)
        }
    }
}

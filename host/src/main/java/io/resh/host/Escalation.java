package io.resh.host;

import io.resh.core.GroupEvent;
import io.resh.core.config.ReplicaSpec;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens when restarts pile up ({@link RestartIntensity} decides, this applies): a slot backs off,
 * a version is quarantined and its slots run a stand-in version — the one the fewest other replicas run,
 * to keep diversity — or wait when no other version is configured. Touched only by the group loop thread.
 */
final class Escalation {
    private static final Logger LOG = LoggerFactory.getLogger(Escalation.class);
    private final GroupLoop loop;
    private final RestartIntensity intensity;

    Escalation(GroupLoop loop, RestartIntensity intensity) {
        this.loop = loop;
        this.intensity = intensity;
    }

    /**
     * Counts a restart of the slot and applies the verdict. True if the slot may start now, false if it
     * was put in back-off.
     */
    boolean restarted(Slot slot, long now) {
        RestartIntensity.Verdict v = intensity.restarted(slot.index, slot.spec.label(), now);
        if (v.quarantine()) {
            quarantined(slot, v, now);
        }
        if (v.backOff() && !(v.quarantine() && specFor(slot, now) != null)) {
            backOff(slot, v.backoffNanos(), v.slotRestarts());
            return false;
        }
        return true; // a freshly quarantined version's slot starts right away on a stand-in version
    }

    private void quarantined(Slot slot, RestartIntensity.Verdict v, long now) {
        String version = slot.spec.label();
        loop.count("quarantines");
        ReplicaSpec stand = standIn(slot, now);
        long untilMillis = loop.millis() + TimeUnit.NANOSECONDS.toMillis(intensity.quarantinedUntil(version, now) - now);
        LOG.warn("group {}: version {} restarted {} times within {} s: quarantined; its replicas run {}", loop.config.name(),
                version, v.versionRestarts(), loop.config.restartWindow().toSeconds(),
                stand == null ? "nothing (no other version configured): they stay backed off" : stand.label());
        loop.emit(new GroupEvent.VersionQuarantined(loop.millis(), loop.config.name(), version, v.versionRestarts(),
                loop.config.restartWindow().toMillis(), untilMillis, stand == null ? "" : stand.label()));
    }

    /** Puts the slot in back-off for {@code delayNanos}; {@code restarts} is its restart count in the window (for the event). */
    void backOff(Slot slot, long delayNanos, int restarts) {
        long ms = enterBackOff(slot, delayNanos, restarts);
        LOG.warn("group {}: replica {} restarted {} times within {} s; backing off {} ms", loop.config.name(), slot.index,
                restarts, loop.config.restartWindow().toSeconds(), ms);
    }

    /**
     * A process that could not even be started backs off like a crash loop. Logged with the reason: it used to
     * say only "restarted 0 times within 60 s; backing off", and no line said what had failed.
     */
    void startFailed(Slot slot, String reason) {
        long ms = enterBackOff(slot, intensity.backoff(slot.index), 0);
        LOG.warn("group {}: replica {} could not be started ({}); trying again in {} ms", loop.config.name(), slot.index,
                reason, ms);
    }

    private long enterBackOff(Slot slot, long delayNanos, int restarts) {
        slot.backoffUntilNanos = loop.now() + delayNanos;
        slot.process = null;
        loop.setState(slot, SlotState.BACKING_OFF);
        long ms = TimeUnit.NANOSECONDS.toMillis(delayNanos);
        loop.emit(new GroupEvent.BackedOff(loop.millis(), loop.config.name(), slot.index, restarts,
                loop.config.restartWindow().toMillis(), ms));
        return ms;
    }

    /** The version the slot should run now: its own, or a stand-in while its own is quarantined; null = none. */
    ReplicaSpec specFor(Slot slot, long now) {
        return intensity.quarantined(slot.configured.label(), now) ? standIn(slot, now) : slot.configured;
    }

    /** When a slot whose every candidate version is quarantined may try again. */
    long retryAt(Slot slot, long now) {
        long until = intensity.quarantinedUntil(slot.configured.label(), now);
        return until > now ? until : now + TimeUnit.SECONDS.toNanos(1);
    }

    /** The non-quarantined version the fewest other live slots run (diversity first), then the most trusted. */
    private ReplicaSpec standIn(Slot slot, long now) {
        ReplicaSpec best = null;
        long bestUsers = Long.MAX_VALUE;
        for (ReplicaSpec v : loop.config.versions()) {
            if (intensity.quarantined(v.label(), now)) {
                continue;
            }
            long users = Arrays.stream(loop.slots).filter(s -> s != slot && s.hasProcess()
                    && s.spec.label().equals(v.label())).count();
            if (best == null || users < bestUsers || (users == bestUsers
                    && loop.reputation.version(v.label()).score(now) > loop.reputation.version(best.label()).score(now))) {
                best = v;
                bestUsers = users;
            }
        }
        return best;
    }
}

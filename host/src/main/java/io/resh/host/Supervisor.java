package io.resh.host;

import io.resh.core.GroupEvent;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The proactive half of the supervisor, run from the group loop's timer: rejuvenates one healthy replica
 * at a time, escalates an adaptive group from DMR to TMR on a divergence and back after a quiet period,
 * releases quarantined versions and rehabilitated cores when their time or their evidence has passed,
 * and runs the {@link SelfCheck}. Touched only by the group loop thread.
 */
final class Supervisor {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);
    private final GroupLoop loop;
    private final RejuvenationSchedule rejuvenation;
    private final RedundancyPolicy redundancy;
    private final SelfCheck selfCheck;
    private final long selfCheckNanos;
    private long lastSelfCheckNanos;

    Supervisor(GroupLoop loop, RejuvenationSchedule rejuvenation, RedundancyPolicy redundancy, long now) {
        this.loop = loop;
        this.rejuvenation = rejuvenation;
        this.redundancy = redundancy;
        this.selfCheck = new SelfCheck(loop);
        this.selfCheckNanos = loop.config.supervision().selfCheckInterval().toNanos();
        this.lastSelfCheckNanos = now;
    }

    RedundancyPolicy redundancy() {
        return redundancy;
    }

    Duration rejuvenationPeriod() {
        return rejuvenation.period();
    }

    void setRejuvenationPeriod(Duration period, long now) {
        rejuvenation.setPeriod(period, now);
        LOG.info("group {}: rejuvenation {}", loop.config.name(), period.isZero() ? "off"
                : "every " + period.toMillis() + " ms, one replica at a time");
    }

    /** Whether {@code slot} starts dormant (adaptive DMR keeps the spare asleep). */
    boolean dormantAtStart(Slot slot) {
        return redundancy.adaptive() && slot.index == GroupLoop.SPARE;
    }

    /** Every timer tick while the group serves. */
    void tick(long now) {
        boolean[] active = new boolean[loop.slots.length];
        boolean busy = false;
        boolean allActive = true;
        for (Slot s : loop.slots) {
            active[s.index] = s.state == SlotState.ACTIVE;
            busy |= s.state != SlotState.ACTIVE && s.state != SlotState.DORMANT;
            allActive &= s.state == SlotState.ACTIVE || s.state == SlotState.DORMANT;
        }
        int due = rejuvenation.due(now, active, busy, loop.quorum.agreementNeeded());
        if (due >= 0) {
            rejuvenation.started(due, now);
            LOG.info("group {}: rejuvenating replica {} (one every {} ms)", loop.config.name(), due,
                    rejuvenation.period().toMillis());
            loop.restart(loop.slots[due], "rejuvenation", loop.log.lastSequence(), GroupLoop.Cause.REJUVENATION);
        }
        if (redundancy.shouldDeescalate(now, allActive)) {
            sleepSpare(now);
        }
        if (now - lastSelfCheckNanos >= selfCheckNanos) {
            lastSelfCheckNanos = now;
            for (String v : loop.intensity.released(now)) {
                LOG.info("group {}: version {} is out of quarantine", loop.config.name(), v);
                loop.emit(new GroupEvent.VersionReleased(loop.millis(), loop.config.name(), v));
            }
            for (int cpu : loop.reputation.cleared(now)) {
                LOG.info("group {}: core {} is trusted again", loop.config.name(), cpu);
                loop.emit(new GroupEvent.CoreCleared(loop.millis(), loop.config.name(), cpu,
                        loop.reputation.core(cpu).score(now)));
                loop.placement.rebalance("core " + cpu + " is trusted again");
            }
            selfCheck.run(now);
        }
    }

    /** Adaptive DMR: a divergence wakes the dormant third replica to arbitrate. False if there is none to wake. */
    boolean wakeSpare(String evidence) {
        Slot spare = redundancy.adaptive() ? loop.slots[GroupLoop.SPARE] : null;
        if (spare == null || spare.state != SlotState.DORMANT || !loop.serving()) {
            return false;
        }
        long now = loop.now();
        redundancy.divergence(now);
        loop.count("escalations");
        LOG.warn("group {}: DMR replicas disagree ({}); waking replica {} to arbitrate", loop.config.name(), evidence,
                GroupLoop.SPARE);
        loop.emit(new GroupEvent.RedundancyChanged(loop.millis(), loop.config.name(), "dmr", "tmr", evidence));
        spare.recoveryStartNanos = now;
        loop.launch(spare);
        return true;
    }

    /** Quiet long enough in TMR: the spare goes back to sleep and the group runs DMR again. */
    private void sleepSpare(long now) {
        Slot spare = loop.slots[GroupLoop.SPARE];
        loop.withdrawVotes(spare, now);
        if (spare.process != null) {
            spare.process.shutdown();
            loop.processes.remove(spare.process);
        }
        spare.process = null;
        loop.setState(spare, SlotState.DORMANT);
        String why = "no fault for " + loop.config.supervision().adaptiveQuiet().toMillis() + " ms";
        LOG.info("group {}: back to DMR ({}); replica {} is dormant", loop.config.name(), why, GroupLoop.SPARE);
        loop.emit(new GroupEvent.RedundancyChanged(loop.millis(), loop.config.name(), "tmr", "dmr", why));
    }
}

package io.resh.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.host.GroupStatus;
import io.resh.host.ReplicaStatus;
import io.resh.host.SlotState;
import io.resh.host.SupervisionMeters;
import io.resh.host.SupervisionStatus;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A group's meters: counters driven by its events (faults by replica and kind, divergences by replica and
 * core, recoveries and their duration, injections, rejuvenations, back-offs, moves, suspect cores,
 * quarantines, self-repairs, redundancy switches) and gauges read from its latest polled status
 * (requests, voted replies, log length, checkpoint age, replica state and reputation, and the
 * supervisor's trust in cores and versions through {@link SupervisionMeters}). Vote latency is recorded
 * by {@link VoteLatency}.
 *
 * <p>While the group does not answer its status poll, the gauges are NaN, as before its first status: their last
 * values may no longer hold. The counters keep theirs, since a counter that fell would read as a reset.
 *
 * <p>Meter names are Micrometer's dotted names; Prometheus sees {@code resh_faults_total},
 * {@code resh_checkpoint_age_seconds} and so on (docs/OBSERVABILITY.md lists them all).
 */
final class GroupMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(GroupMetrics.class);
    private final MeterRegistry registry;
    private final GroupWatch watch;
    private final Tags groupTag;
    private final Timer recoveryDuration;
    private final Timer rejuvenationDuration;

    GroupMetrics(MeterRegistry registry, GroupWatch watch) {
        this.registry = registry;
        this.watch = watch;
        this.groupTag = Tags.of("group", watch.name());
        statusCounter("resh.requests", "requests", "Requests ordered by the group");
        statusCounter("resh.replies", "replies", "Voted replies released to clients");
        statusCounter("resh.service.errors", "service-errors", "Voted replies that were a service error");
        statusCounter("resh.unavailable", "unavailable", "Requests failed because no quorum answered in time");
        statusCounter("resh.rollbacks", "rollbacks", "DMR roll-backs to the stable checkpoint");
        statusCounter("resh.checkpoints", "checkpoints", "Stable checkpoints taken");
        gauge("resh.log.length", "Requests kept in the log since the stable checkpoint", GroupStatus::logLength);
        gauge("resh.pending.requests", "Requests not answered yet", GroupStatus::pending);
        gauge("resh.last.sequence", "Highest sequence number assigned", GroupStatus::lastSequence);
        gauge("resh.checkpoint.sequence", "Sequence number of the stable checkpoint", GroupStatus::stableCheckpoint);
        gauge("resh.failed", "1 once the group failed stop", s -> s.failed() == null ? 0 : 1);
        Gauge.builder("resh.checkpoint.age", watch, w -> w.current() == null ? Double.NaN : w.checkpointAgeMillis() / 1000.0)
                .strongReference(true)
                .baseUnit("seconds").description("Time since the last stable checkpoint").tags(groupTag)
                .register(registry);
        Gauge.builder("resh.group.reachable", watch, w -> w.unreachable() == null ? 1 : 0).strongReference(true)
                .description("1 while the group answers status polls").tags(groupTag).register(registry);
        this.recoveryDuration = Timer.builder("resh.recovery.duration").tags(groupTag)
                .description("From detecting a fault to the replaced replica rejoining the vote")
                .publishPercentiles(0.5, 0.99).register(registry);
        this.rejuvenationDuration = Timer.builder("resh.rejuvenation.duration").tags(groupTag)
                .description("From replacing a healthy replica proactively to the fresh one rejoining the vote")
                .publishPercentiles(0.5, 0.99).register(registry);
        for (int i = 0; i < watch.replicas(); i++) {
            bindReplica(i);
        }
        GroupStatus initial = watch.latest();
        if (initial != null) {
            SupervisionMeters.bind(registry, initial, watch::current);
            for (SupervisionStatus.Core c : initial.supervision().cores()) {
                coreSuspicions(c.cpu());
            }
            for (SupervisionStatus.Version v : initial.supervision().versions()) {
                quarantines(v.label());
            }
        } else {
            LOG.warn("admin: group {} did not report its status ({}); no core and version gauges for it",
                    watch.name(), watch.unreachable());
        }
    }

    private void bindReplica(int replica) {
        Tags tags = groupTag.and("replica", Integer.toString(replica));
        for (SlotState state : SlotState.values()) {
            Gauge.builder("resh.replica.state", watch, w -> {
                SlotState now = stateOf(w, replica);
                return now == null ? Double.NaN : now == state ? 1 : 0;
            }).strongReference(true)
                    .description("1 for the replica's current life-cycle state, 0 for the others")
                    .tags(tags.and("state", state.label())).register(registry);
        }
        replicaGauge("resh.replica.incarnation", replica, tags, "Processes this replica slot has had", ReplicaStatus::incarnation);
        replicaGauge("resh.replica.core", replica, tags, "CPU core the replica is pinned to, -1 if not pinned", ReplicaStatus::cpu);
        Gauge.builder("resh.replica.reputation", watch, w -> w.reputation(replica)).strongReference(true)
                .description("Trust in the replica: 1 = no recent faults, falling towards 0 with each one")
                .tags(tags).register(registry);
        for (FaultKind kind : FaultKind.values()) {
            faults(replica, kind); // present at 0, so rate() works from the first scrape
        }
        recoveries(replica);
        rejuvenations(replica);
        backoffs(replica);
        moves(replica);
    }

    private static SlotState stateOf(GroupWatch w, int replica) {
        GroupStatus s = w.current();
        return s == null ? null : s.replicaStates().get(replica).state();
    }

    private void statusCounter(String name, String counter, String description) {
        FunctionCounter.builder(name, watch, w -> {
            GroupStatus s = w.latest();
            return s == null ? 0 : s.counters().getOrDefault(counter, 0L);
        }).description(description).tags(groupTag).register(registry);
    }

    private void gauge(String name, String description, ToDoubleFunction<GroupStatus> value) {
        Gauge.builder(name, watch, w -> {
            GroupStatus s = w.current();
            return s == null ? Double.NaN : value.applyAsDouble(s);
        }).strongReference(true).description(description).tags(groupTag).register(registry);
    }

    private void replicaGauge(String name, int replica, Tags tags, String description, ToDoubleFunction<ReplicaStatus> value) {
        Gauge.builder(name, watch, w -> {
            GroupStatus s = w.current();
            return s == null ? Double.NaN : value.applyAsDouble(s.replicaStates().get(replica));
        }).strongReference(true).description(description).tags(tags).register(registry);
    }

    private Counter faults(int replica, FaultKind kind) {
        return Counter.builder("resh.faults").description("Faults detected, by replica and kind")
                .tags(groupTag.and("replica", Integer.toString(replica), "kind", kind.label())).register(registry);
    }

    private Counter recoveries(int replica) {
        return Counter.builder("resh.recoveries").description("Replicas replaced and back in the vote")
                .tags(groupTag.and("replica", Integer.toString(replica))).register(registry);
    }

    private Counter rejuvenations(int replica) {
        return Counter.builder("resh.rejuvenations").description("Healthy replicas replaced proactively and back in the vote")
                .tags(groupTag.and("replica", Integer.toString(replica))).register(registry);
    }

    private Counter backoffs(int replica) {
        return Counter.builder("resh.backoffs").description("Times a replica slot exceeded its restart intensity and waited")
                .tags(groupTag.and("replica", Integer.toString(replica))).register(registry);
    }

    private Counter moves(int replica) {
        return Counter.builder("resh.replica.moves").description("Running replicas re-pinned to another core")
                .tags(groupTag.and("replica", Integer.toString(replica))).register(registry);
    }

    private Counter coreSuspicions(int cpu) {
        return Counter.builder("resh.core.suspicions").description("Times a core became suspect")
                .tags(groupTag.and("cpu", Integer.toString(cpu))).register(registry);
    }

    private Counter quarantines(String version) {
        return Counter.builder("resh.version.quarantines").description("Times a service version was quarantined")
                .tags(groupTag.and("version", version)).register(registry);
    }

    /** Called on the admin event thread, never on the group's loop. */
    void onEvent(GroupEvent event) {
        if (event instanceof GroupEvent.FaultDetected f) {
            faults(f.replica(), f.kind()).increment();
            if (f.kind() == FaultKind.DIVERGENCE || f.kind() == FaultKind.STATE_DIVERGENCE) {
                Counter.builder("resh.divergences").description("Replies or state digests that differed from the vote, by replica and CPU core")
                        .tags(groupTag.and("replica", Integer.toString(f.replica()), "core", core(f.cpu())))
                        .register(registry).increment();
            }
        } else if (event instanceof GroupEvent.RecoveryCompleted r) {
            recoveries(r.replica()).increment();
            recoveryDuration.record(r.durationMillis(), TimeUnit.MILLISECONDS);
        } else if (event instanceof GroupEvent.Rejuvenated r) {
            rejuvenations(r.replica()).increment();
            rejuvenationDuration.record(r.durationMillis(), TimeUnit.MILLISECONDS);
        } else if (event instanceof GroupEvent.BackedOff b) {
            backoffs(b.replica()).increment();
        } else if (event instanceof GroupEvent.ReplicaMoved m) {
            moves(m.replica()).increment();
        } else if (event instanceof GroupEvent.CoreSuspected c) {
            coreSuspicions(c.cpu()).increment();
        } else if (event instanceof GroupEvent.VersionQuarantined q) {
            quarantines(q.version()).increment();
        } else if (event instanceof GroupEvent.SelfRepaired r) {
            Counter.builder("resh.self.repairs").description("Invariant violations the supervisor found in its own bookkeeping and repaired")
                    .tags(groupTag.and("invariant", r.invariant())).register(registry).increment();
        } else if (event instanceof GroupEvent.RedundancyChanged r) {
            Counter.builder("resh.redundancy.changes").description("Adaptive redundancy switches, by the mode switched to")
                    .tags(groupTag.and("to", r.to())).register(registry).increment();
        } else if (event instanceof GroupEvent.FaultInjected i) {
            Counter.builder("resh.faults.injected").description("Faults injected on purpose (campaign, admin API, demo)")
                    .tags(groupTag.and("replica", Integer.toString(i.replica()), "fault", i.fault()))
                    .register(registry).increment();
        }
    }

    private static String core(int cpu) {
        return cpu < 0 ? "none" : Integer.toString(cpu);
    }
}

package io.resh.host;

import io.resh.core.FailStopException;
import io.resh.core.Reputation;
import io.resh.core.config.ReplicaSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Builds a {@link GroupStatus} from the loop's state; runs on the loop thread. */
final class StatusView {
    private StatusView() {
    }

    static GroupStatus of(GroupLoop loop, long now, FailStopException failed) {
        List<ReplicaStatus> rs = new ArrayList<>();
        for (Slot s : loop.slots) {
            rs.add(new ReplicaStatus(s.index, s.state, s.hasProcess() ? s.pid() : -1, s.cpu, s.incarnation,
                    s.spec.label(), s.repliedThrough, s.faults, s.lastFault, s.digestSequence, s.digest,
                    round(loop.reputation.slot(s.index).score(now))));
        }
        int pending = 0;
        RequestLog log = loop.log;
        for (long q = Math.max(loop.firstUnanswered, log.firstSequence()); q <= log.lastSequence(); q++) {
            LogEntry e = log.get(q);
            if (e != null && !e.answered) {
                pending++;
            }
        }
        Checkpoint stable = loop.checkpoints.stable();
        loop.counters.set("shared-bodies", loop.sharedBodies.sum());
        return new GroupStatus(loop.config.name(), loop.quorum.replicas(), loop.quorum.faultsMasked(),
                failed == null ? null : failed.getMessage(), log.lastSequence(), stable.sequence(),
                stable.digest() == null ? "" : stable.digest().hex(), log.size(), pending,
                loop.counters.snapshot(), rs, supervision(loop, now));
    }

    private static SupervisionStatus supervision(GroupLoop loop, long now) {
        RedundancyPolicy redundancy = loop.supervisor.redundancy();
        String mode = redundancy.adaptive() ? redundancy.mode().label() : "n=" + loop.quorum.replicas();
        TreeSet<Integer> coreIds = new TreeSet<>(loop.placement.usable());
        coreIds.addAll(loop.reputation.cores().keySet());
        List<SupervisionStatus.Core> cores = new ArrayList<>();
        for (int cpu : coreIds) {
            Reputation r = loop.reputation.core(cpu);
            List<Integer> on = new ArrayList<>();
            for (Slot s : loop.slots) {
                if (s.hasProcess() && s.cpu == cpu) {
                    on.add(s.index);
                }
            }
            cores.add(new SupervisionStatus.Core(cpu, round(r.score(now)), r.faults(), loop.reputation.suspect(cpu), on));
        }
        List<SupervisionStatus.Version> versions = new ArrayList<>();
        for (ReplicaSpec v : loop.config.versions()) {
            Reputation r = loop.reputation.version(v.label());
            List<Integer> on = new ArrayList<>();
            for (Slot s : loop.slots) {
                if (s.state != SlotState.DORMANT && s.spec.label().equals(v.label())) {
                    on.add(s.index);
                }
            }
            versions.add(new SupervisionStatus.Version(v.label(), round(r.score(now)), r.faults(),
                    loop.intensity.recentRestarts(v.label(), now), loop.intensity.quarantined(v.label(), now), on));
        }
        return new SupervisionStatus(mode, loop.supervisor.rejuvenationPeriod(), cores, versions,
                loop.counters.get("self-repairs"));
    }

    private static double round(double score) {
        return Math.round(score * 1000) / 1000.0;
    }
}

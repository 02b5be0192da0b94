package io.resh.host;

import io.resh.core.GroupEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link CoreSelector}'s decisions to a group: pins starting replicas, and re-pins running ones
 * (taskset on the live process) to rotate them, even the load, and leave suspect cores. Does nothing
 * for unpinned groups. Touched only by the group loop thread.
 */
final class Placement {
    private static final Logger LOG = LoggerFactory.getLogger(Placement.class);
    private final GroupLoop loop;
    private final CoreSelector cores;

    /** @param cores null for an unpinned group */
    Placement(GroupLoop loop, CoreSelector cores) {
        this.loop = loop;
        this.cores = cores;
    }

    List<Integer> usable() {
        return cores == null ? List.of() : cores.usable();
    }

    /** The core for a starting replica: spread over the usable cores, away from the one it left, never a suspect one while others exist. */
    int chooseCpu(Slot slot) {
        if (cores == null) {
            return -1;
        }
        return cores.choose(slot.index, slot.cpu, loads(slot), loop.reputation.suspects());
    }

    private Map<Integer, Integer> loads(Slot exclude) {
        Map<Integer, Integer> loads = new HashMap<>();
        for (Slot s : loop.slots) {
            if (s != exclude && s.hasProcess() && s.cpu >= 0) {
                loads.merge(s.cpu, 1, Integer::sum);
            }
        }
        return loads;
    }

    /** Re-pins running replicas until no suspect core is used (while others are) and loads are even. */
    void rebalance(String reason) {
        if (cores == null || !CpuPinning.available()) {
            return;
        }
        for (int round = 0; round < loop.slots.length; round++) {
            CoreSelector.Move move = cores.rebalance(loads(null), loop.reputation.suspects());
            if (move == null) {
                return;
            }
            Slot mover = null;
            for (Slot s : loop.slots) {
                if (s.hasProcess() && s.cpu == move.from() && (mover == null || s.cpuSinceNanos < mover.cpuSinceNanos)) {
                    mover = s; // the one that has sat there longest: rotation
                }
            }
            if (mover == null) {
                return;
            }
            String error = CpuPinning.repin(mover.pid(), move.to());
            if (error != null) {
                LOG.warn("group {}: cannot move replica {} from core {} to core {}: {}", loop.config.name(), mover.index,
                        move.from(), move.to(), error);
                return;
            }
            mover.cpu = move.to();
            mover.cpuSinceNanos = loop.now();
            LOG.info("group {}: replica {} moved from core {} to core {} ({})", loop.config.name(), mover.index,
                    move.from(), move.to(), reason);
            loop.emit(new GroupEvent.ReplicaMoved(loop.millis(), loop.config.name(), mover.index, move.from(), move.to(),
                    reason));
        }
    }
}

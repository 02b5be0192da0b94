package io.resh.host;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Where replicas run: which core a starting replica is pinned to, and which running replica should move
 * to even out the load or leave a suspect core. Pure: the caller passes the current loads and suspects.
 *
 * <p>A replica that is replaced (recovery or rejuvenation) goes to a core other than the one it ran on
 * whenever another usable core exists. Rebalancing then moves the replica that has sat longest on a busy
 * core onto the idle one. Over time every replica visits every core, so the evidence of a faulty core
 * spreads over many replicas while the evidence of a faulty replica spreads over many cores: the two
 * separate.
 */
final class CoreSelector {
    /** Re-pin a running replica from {@code from} to {@code to}. */
    record Move(int from, int to) {
    }

    private final List<Integer> usable;

    /** @param usable the cores replicas may run on, in rotation order; non-empty */
    CoreSelector(List<Integer> usable) {
        if (usable.isEmpty()) {
            throw new IllegalArgumentException("no usable cores");
        }
        this.usable = List.copyOf(usable);
    }

    List<Integer> usable() {
        return usable;
    }

    /**
     * The core for a replica that is starting.
     *
     * @param slot the slot index (spreads first starts round-robin)
     * @param previous the core this slot last ran on, or -1
     * @param loads replicas with a process per core, not counting this slot
     * @param suspect cores not to use while others are usable
     */
    int choose(int slot, int previous, Map<Integer, Integer> loads, Set<Integer> suspect) {
        List<Integer> candidates = allowed(suspect);
        if (previous >= 0 && candidates.size() > 1) {
            candidates.remove(Integer.valueOf(previous));
        }
        int startAt = previous >= 0 ? usable.indexOf(previous) + 1 : slot;
        int best = -1;
        int bestLoad = Integer.MAX_VALUE;
        for (int k = 0; k < usable.size(); k++) {
            int core = usable.get(Math.floorMod(startAt + k, usable.size()));
            if (!candidates.contains(core)) {
                continue;
            }
            int load = loads.getOrDefault(core, 0);
            if (load < bestLoad) {
                best = core;
                bestLoad = load;
            }
        }
        return best;
    }

    /**
     * A move that empties a suspect core or evens out the load (busiest and idlest usable cores differ by
     * two or more), or null when the placement is fine.
     */
    Move rebalance(Map<Integer, Integer> loads, Set<Integer> suspect) {
        List<Integer> allowed = allowed(suspect);
        int idlest = -1;
        for (int core : allowed) {
            if (idlest < 0 || loads.getOrDefault(core, 0) < loads.getOrDefault(idlest, 0)) {
                idlest = core;
            }
        }
        for (Map.Entry<Integer, Integer> e : loads.entrySet()) {
            if (e.getValue() > 0 && !allowed.contains(e.getKey())) {
                return new Move(e.getKey(), idlest);
            }
        }
        int busiest = -1;
        for (int core : allowed) {
            if (busiest < 0 || loads.getOrDefault(core, 0) > loads.getOrDefault(busiest, 0)) {
                busiest = core;
            }
        }
        return loads.getOrDefault(busiest, 0) - loads.getOrDefault(idlest, 0) >= 2 ? new Move(busiest, idlest) : null;
    }

    private List<Integer> allowed(Set<Integer> suspect) {
        List<Integer> out = new ArrayList<>();
        for (int c : usable) {
            if (!suspect.contains(c)) {
                out.add(c);
            }
        }
        return out.isEmpty() ? new ArrayList<>(usable) : out;
    }
}

package io.resh.cluster;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A concurrent history of reads and writes on registers (one per key), and a linearizability check in
 * the style of Knossos / Wing-Gong-Lowe: search for an order of the operations that respects real time
 * (an operation that completed before another was invoked comes first) and register semantics (a read
 * returns the latest write before it). Written values are unique, which keeps the search small.
 *
 * <p>Outcomes: {@code ok} operations must be linearized; {@code fail} ones (a definite error) are left
 * out; {@code unknown} writes may or may not have taken effect, at any time after their invocation;
 * unknown reads tell nothing and are left out.
 */
final class RegisterHistory {
    enum Kind { READ, WRITE }

    enum Outcome { OK, FAIL, UNKNOWN }

    /** One operation; {@code value} null = absent (a read of a missing key). Times in nanoseconds. */
    record Op(int process, String key, Kind kind, String value, long invoked, long completed, Outcome outcome) {
    }

    private final List<Op> ops = new ArrayList<>();

    synchronized void add(Op op) {
        ops.add(op);
    }

    synchronized List<Op> ops() {
        return List.copyOf(ops);
    }

    synchronized long count(Outcome outcome) {
        return ops.stream().filter(o -> o.outcome() == outcome).count();
    }

    /** The first key whose history is not linearizable with a description, or null when all are. */
    String firstViolation() {
        Map<String, List<Op>> byKey = new LinkedHashMap<>();
        for (Op op : ops()) {
            byKey.computeIfAbsent(op.key(), k -> new ArrayList<>()).add(op);
        }
        for (Map.Entry<String, List<Op>> e : byKey.entrySet()) {
            if (!linearizable(e.getValue())) {
                StringBuilder b = new StringBuilder("key " + e.getKey() + " is not linearizable:\n");
                e.getValue().stream().sorted(Comparator.comparingLong(Op::invoked))
                        .forEach(o -> b.append("  ").append(o).append('\n'));
                return b.toString();
            }
        }
        return null;
    }

    static boolean linearizable(List<Op> keyOps) {
        List<Op> relevant = new ArrayList<>();
        for (Op o : keyOps) {
            if (o.outcome() == Outcome.OK || (o.outcome() == Outcome.UNKNOWN && o.kind() == Kind.WRITE)) {
                long completed = o.outcome() == Outcome.UNKNOWN ? Long.MAX_VALUE : o.completed();
                relevant.add(new Op(o.process(), o.key(), o.kind(), o.value(), o.invoked(), completed, o.outcome()));
            }
        }
        relevant.sort(Comparator.comparingLong(Op::invoked));
        return new Search(relevant).run();
    }

    /** Depth-first search over linearization prefixes, memoizing (done set, register value). */
    private static final class Search {
        private final List<Op> ops;
        private final Set<State> dead = new HashSet<>();
        private final int mustDo;

        Search(List<Op> ops) {
            this.ops = ops;
            this.mustDo = (int) ops.stream().filter(o -> o.outcome() == Outcome.OK).count();
        }

        boolean run() {
            return step(new BitSet(ops.size()), 0, null);
        }

        private boolean step(BitSet done, int okDone, String value) {
            if (okDone == mustDo) {
                return true;
            }
            State s = new State((BitSet) done.clone(), value);
            if (dead.contains(s)) {
                return false;
            }
            long horizon = Long.MAX_VALUE;
            for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
                horizon = Math.min(horizon, ops.get(i).completed());
            }
            for (int i = done.nextClearBit(0); i < ops.size(); i = done.nextClearBit(i + 1)) {
                Op o = ops.get(i);
                if (o.invoked() > horizon) {
                    break; // sorted by invocation: every later one is also after some completion
                }
                if (o.kind() == Kind.READ && !Objects.equals(o.value(), value)) {
                    continue;
                }
                done.set(i);
                boolean found = step(done, okDone + (o.outcome() == Outcome.OK ? 1 : 0),
                        o.kind() == Kind.WRITE ? o.value() : value);
                done.clear(i);
                if (found) {
                    return true;
                }
            }
            dead.add(s);
            return false;
        }
    }

    private record State(BitSet done, String value) {
    }
}

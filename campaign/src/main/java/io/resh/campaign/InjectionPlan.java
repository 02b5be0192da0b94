package io.resh.campaign;

import io.resh.core.InjectedFault;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The faults of a campaign, drawn from one seed: the same seed and parameters always give the same
 * plan, so a campaign can be re-run injection for injection.
 *
 * <p>Kinds are dealt in rounds: every round holds each requested kind once, in a seeded random order,
 * so 1,000 injections over 7 kinds give 142 or 143 of each and no kind clusters at the start or end.
 * Targets are uniform over the replicas; the injection point is uniform over the window.
 */
public final class InjectionPlan {
    private final long seed;
    private final List<Injection> injections;

    private InjectionPlan(long seed, List<Injection> injections) {
        this.seed = seed;
        this.injections = List.copyOf(injections);
    }

    /**
     * Draws a plan.
     *
     * @param seed the campaign seed
     * @param count number of injections (at least 1)
     * @param kinds the fault kinds to spread them over (not empty; duplicates ignored)
     * @param replicas N, the group size (targets are 0..N-1)
     * @param requestsPerInjection requests in each injection's window (at least 1)
     * @param maxSlowMillis the longest delay of a {@code slow} fault; delays are drawn from
     *     [maxSlowMillis / 8, maxSlowMillis]
     */
    public static InjectionPlan generate(long seed, int count, List<InjectedFault> kinds, int replicas,
                                         int requestsPerInjection, long maxSlowMillis) {
        if (count < 1) {
            throw new IllegalArgumentException("a campaign needs at least 1 injection, got " + count);
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("a campaign needs at least one fault kind");
        }
        if (replicas < 1) {
            throw new IllegalArgumentException("a group has at least 1 replica, got " + replicas);
        }
        if (requestsPerInjection < 1) {
            throw new IllegalArgumentException("each injection needs at least 1 request, got " + requestsPerInjection);
        }
        if (maxSlowMillis < 8) {
            throw new IllegalArgumentException("the longest slow-reply delay must be at least 8 ms, got " + maxSlowMillis);
        }
        List<InjectedFault> distinct = kinds.stream().distinct().toList();
        SplittableRandom random = new SplittableRandom(seed);
        List<Injection> out = new ArrayList<>(count);
        List<InjectedFault> round = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            if (round.isEmpty()) {
                round.addAll(distinct);
                shuffle(round, random);
            }
            InjectedFault kind = round.remove(round.size() - 1);
            int replica = random.nextInt(replicas);
            int after = random.nextInt(requestsPerInjection);
            long arg = argument(kind, random, maxSlowMillis);
            out.add(new Injection(i, kind, replica, after, arg, random.nextLong()));
        }
        return new InjectionPlan(seed, out);
    }

    private static long argument(InjectedFault kind, SplittableRandom random, long maxSlowMillis) {
        switch (kind) {
            case SLOW:
                return random.nextLong(maxSlowMillis / 8, maxSlowMillis + 1);
            case REPLY_CORRUPTION:
                // The replica takes it modulo the reply's length in bits, so any bit of any reply can be hit.
                return random.nextLong(1L << 20);
            case STATE_CORRUPTION:
            case IPC_GARBAGE:
                return random.nextLong();
            default:
                return 0;
        }
    }

    private static void shuffle(List<InjectedFault> list, SplittableRandom random) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            InjectedFault t = list.get(i);
            list.set(i, list.get(j));
            list.set(j, t);
        }
    }

    public long seed() {
        return seed;
    }

    public List<Injection> injections() {
        return injections;
    }

    public int size() {
        return injections.size();
    }

    /** How many injections of each kind the plan holds. */
    public Map<InjectedFault, Integer> countsByKind() {
        Map<InjectedFault, Integer> counts = new EnumMap<>(InjectedFault.class);
        for (Injection i : injections) {
            counts.merge(i.kind(), 1, Integer::sum);
        }
        return counts;
    }
}

package io.resh.host;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Gauges for what the supervisor believes, read from a group's latest status: trust in every core and
 * version, which cores are suspect, which versions quarantined, and the redundancy mode. Replica
 * reputation is {@link ReplicaStatus#reputation()}; whoever already exports per-replica gauges reads it
 * from there.
 *
 * <pre>
 * resh.core.reputation{group,cpu}        trust in (0, 1]
 * resh.core.suspect{group,cpu}           1 while suspect
 * resh.version.reputation{group,version} trust in (0, 1]
 * resh.version.quarantined{group,version} 1 while quarantined
 * resh.redundancy.escalated{group}       1 while an adaptive group runs TMR
 * resh.poison.requests{group}            requests of death skipped so far (counter)
 * </pre>
 */
public final class SupervisionMeters {
    private SupervisionMeters() {
    }

    /**
     * Registers the gauges of one group. The cores and versions are those of {@code initial}; the values
     * come from {@code latest} at every scrape (NaN while it returns null; the counter keeps its last count).
     */
    public static void bind(MeterRegistry registry, GroupStatus initial, Supplier<GroupStatus> latest) {
        Tags group = Tags.of("group", initial.name());
        for (SupervisionStatus.Core c : initial.supervision().cores()) {
            Tags t = group.and("cpu", Integer.toString(c.cpu()));
            gauge(registry, "resh.core.reputation", "Trust in the core: 1 = no recent faults in replicas on it", t,
                    latest, s -> core(s, c.cpu(), SupervisionStatus.Core::reputation));
            gauge(registry, "resh.core.suspect", "1 while the core is suspect and avoided", t,
                    latest, s -> core(s, c.cpu(), k -> k.suspect() ? 1 : 0));
        }
        for (SupervisionStatus.Version v : initial.supervision().versions()) {
            Tags t = group.and("version", v.label());
            gauge(registry, "resh.version.reputation", "Trust in the service version", t,
                    latest, s -> version(s, v.label(), SupervisionStatus.Version::reputation));
            gauge(registry, "resh.version.quarantined", "1 while the version is quarantined", t,
                    latest, s -> version(s, v.label(), k -> k.quarantined() ? 1 : 0));
        }
        gauge(registry, "resh.redundancy.escalated", "1 while an adaptive group runs TMR instead of DMR", group,
                latest, s -> s.supervision().redundancy().equals("tmr") ? 1 : 0);
        FunctionCounter.builder("resh.poison.requests", latest, new LastCount("poison-requests"))
                .description("Requests that killed every live replica and were skipped (their clients got an error)")
                .tags(group).register(registry);
    }

    /**
     * A status counter that keeps its last count while there is no status: falling to 0 would read as a reset. The
     * function, not the supplier, keeps it: a function counter holds its function strongly, its object weakly.
     */
    private static final class LastCount implements ToDoubleFunction<Supplier<GroupStatus>> {
        private final String name;
        private volatile long last;

        LastCount(String name) {
            this.name = name;
        }

        @Override
        public double applyAsDouble(Supplier<GroupStatus> latest) {
            GroupStatus s = latest.get();
            if (s != null) {
                last = s.counters().getOrDefault(name, 0L);
            }
            return last;
        }
    }

    private static void gauge(MeterRegistry registry, String name, String description, Tags tags,
                              Supplier<GroupStatus> latest, ToDoubleFunction<GroupStatus> value) {
        Gauge.builder(name, latest, l -> {
            GroupStatus s = l.get();
            return s == null ? Double.NaN : value.applyAsDouble(s);
        }).strongReference(true).description(description).tags(tags).register(registry);
    }

    private static double core(GroupStatus s, int cpu, ToDoubleFunction<SupervisionStatus.Core> f) {
        return s.supervision().cores().stream().filter(c -> c.cpu() == cpu).mapToDouble(f).findFirst().orElse(Double.NaN);
    }

    private static double version(GroupStatus s, String label, ToDoubleFunction<SupervisionStatus.Version> f) {
        return s.supervision().versions().stream().filter(v -> v.label().equals(label)).mapToDouble(f).findFirst()
                .orElse(Double.NaN);
    }
}

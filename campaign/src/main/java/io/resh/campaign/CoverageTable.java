package io.resh.campaign;

import io.resh.core.InjectedFault;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The coverage table: per fault kind, how many injections ended in each outcome, and three proportions
 * with 95% Wilson intervals.
 *
 * <ul>
 *   <li><b>detected</b>: of the faults that had an effect (all but masked), the share the host
 *       detected (corrected, fail-stop or unrecovered). SDC, unavailable and latent count against it.
 *   <li><b>corrected</b>: of the same, the share that ended with correct replies and the faulty
 *       replica back in service.
 *   <li><b>no SDC</b>: of all injections, the share where no wrong value reached the client.
 * </ul>
 */
public final class CoverageTable {

    /** One row: a fault kind, or the total (kind null). */
    public record Row(InjectedFault kind, long injections, Map<Outcome, Long> counts) {
        public Row {
            EnumMap<Outcome, Long> all = new EnumMap<>(Outcome.class);
            for (Outcome o : Outcome.values()) {
                all.put(o, counts.getOrDefault(o, 0L));
            }
            counts = Collections.unmodifiableMap(all);
        }

        public String label() {
            return kind == null ? "total" : kind.label();
        }

        public long count(Outcome o) {
            return counts.get(o);
        }

        /** Injections whose fault had an effect: all but masked. */
        public long effective() {
            return injections - count(Outcome.MASKED);
        }

        public long detected() {
            return count(Outcome.DETECTED_CORRECTED) + count(Outcome.DETECTED_FAIL_STOP) + count(Outcome.DETECTED_UNRECOVERED);
        }

        public WilsonInterval detectedShare() {
            return WilsonInterval.of(detected(), effective());
        }

        public WilsonInterval correctedShare() {
            return WilsonInterval.of(count(Outcome.DETECTED_CORRECTED), effective());
        }

        public WilsonInterval noSdcShare() {
            return WilsonInterval.of(injections - count(Outcome.SILENT_DATA_CORRUPTION), injections);
        }
    }

    private final List<Row> rows;
    private final Row total;

    private CoverageTable(List<Row> rows, Row total) {
        this.rows = List.copyOf(rows);
        this.total = total;
    }

    public static CoverageTable of(List<InjectionRecord> records) {
        Map<InjectedFault, EnumMap<Outcome, Long>> byKind = new EnumMap<>(InjectedFault.class);
        EnumMap<Outcome, Long> all = new EnumMap<>(Outcome.class);
        for (InjectionRecord r : records) {
            byKind.computeIfAbsent(r.kind(), k -> new EnumMap<>(Outcome.class)).merge(r.outcome(), 1L, Long::sum);
            all.merge(r.outcome(), 1L, Long::sum);
        }
        List<Row> rows = new ArrayList<>();
        byKind.forEach((kind, counts) -> rows.add(new Row(kind, sum(counts), counts)));
        return new CoverageTable(rows, new Row(null, records.size(), all));
    }

    private static long sum(Map<Outcome, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    /** One row per fault kind present, in {@link InjectedFault} order. */
    public List<Row> rows() {
        return rows;
    }

    public Row total() {
        return total;
    }
}

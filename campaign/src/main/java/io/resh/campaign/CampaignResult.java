package io.resh.campaign;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A finished campaign: its configuration, every injection's record and, if measured, the overhead.
 *
 * @param config what was run
 * @param startedAt wall-clock start
 * @param duration how long it took, overhead measurement included
 * @param records one per injection, in plan order
 * @param overhead fault-free overhead, or null when not measured
 * @param groupRestarts how many times the whole group had to be replaced (fail-stop, or unable to settle)
 */
public record CampaignResult(CampaignConfig config, Instant startedAt, Duration duration, List<InjectionRecord> records,
                             OverheadReport overhead, int groupRestarts) {
    public CampaignResult {
        records = List.copyOf(records);
    }

    public CoverageTable coverage() {
        return CoverageTable.of(records);
    }

    public long count(Outcome outcome) {
        return records.stream().filter(r -> r.outcome() == outcome).count();
    }

    /**
     * The acceptance criteria of a group that claims to mask faults (N ≥ 3): no silent data
     * corruption, no unavailability, nothing latent, every detected fault recovered, no fail-stop.
     * Empty when met; otherwise one line per violated criterion.
     */
    public List<String> violations() {
        if (config.replicas() < 3) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (Outcome o : List.of(Outcome.SILENT_DATA_CORRUPTION, Outcome.UNAVAILABLE, Outcome.LATENT,
                Outcome.DETECTED_UNRECOVERED, Outcome.DETECTED_FAIL_STOP)) {
            long n = count(o);
            if (n > 0) {
                out.add(n + " injection(s) ended " + o.label() + " (expected 0 with N = " + config.replicas() + ")");
            }
        }
        return out;
    }
}

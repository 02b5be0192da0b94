package io.resh.host;

import java.time.Duration;
import java.util.List;

/**
 * What the supervisor believes beyond each replica's state: trust in every core and version, which are
 * suspect or quarantined, the redundancy mode and the rejuvenation period. Part of {@link GroupStatus}.
 *
 * @param redundancy {@code tmr}/{@code dmr} for an adaptive group, otherwise {@code n=N}
 * @param rejuvenationPeriod one healthy replica is replaced every period; zero = off
 * @param cores one entry per usable core (pinned groups), in core order
 * @param versions one entry per configured version
 * @param selfRepairs how many times the supervisor repaired its own bookkeeping
 */
public record SupervisionStatus(String redundancy, Duration rejuvenationPeriod, List<Core> cores,
                                List<Version> versions, long selfRepairs) {

    /**
     * @param reputation trust in (0, 1]; below the threshold the core is suspect
     * @param faults faults charged to the core so far
     * @param replicas slots currently pinned to it
     */
    public record Core(int cpu, double reputation, long faults, boolean suspect, List<Integer> replicas) {
    }

    /**
     * @param recentRestarts restarts of its slots within the restart window
     * @param quarantined out of service (its slots run another version or wait)
     * @param replicas slots currently running it
     */
    public record Version(String label, double reputation, long faults, int recentRestarts, boolean quarantined,
                          List<Integer> replicas) {
    }
}

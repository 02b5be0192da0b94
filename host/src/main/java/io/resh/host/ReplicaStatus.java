package io.resh.host;

/**
 * A snapshot of one replica slot, for status displays.
 *
 * @param index slot index, 0-based
 * @param state life-cycle state
 * @param pid OS process id of the current incarnation, or -1
 * @param cpu pinned core, or -1
 * @param incarnation how many processes this slot has had (1 = never replaced)
 * @param version label of the service version this slot runs
 * @param repliedThrough highest sequence number this incarnation answered
 * @param faults faults detected in this slot so far
 * @param lastFault description of the most recent fault, or empty
 * @param digestSequence checkpoint of the last state digest this incarnation reported (0 = none)
 * @param digest that digest in hex, or empty
 * @param reputation trust in this slot, in (0, 1]: 1 = nothing recent against it, one fresh fault = 0.5;
 *     faults lower it, time and correct votes restore it
 */
public record ReplicaStatus(int index, SlotState state, long pid, int cpu, int incarnation, String version,
                            long repliedThrough, long faults, String lastFault,
                            long digestSequence, String digest, double reputation) {
}

package io.resh.campaign;

import io.resh.core.InjectedFault;

/**
 * One injection as it ran: what was injected where, what the host did, and the classified outcome.
 * One element of {@code campaign.json}.
 *
 * @param index position in the plan
 * @param kind the fault
 * @param replica target slot
 * @param afterRequest requests of the window answered before the fault was injected
 * @param arg the fault's parameter (bit index, delay in ms, or seed)
 * @param seed seed of the window's requests
 * @param sequence the group's sequence number of the last request before the fault
 * @param groupEpoch which group of the campaign ran it (0 unless the group had to be restarted)
 * @param detail what the replica or the host reported doing (for state corruption: field, index, bit)
 * @param outcome the classified outcome
 * @param explanation why
 * @param requests requests sent in the window
 * @param wrongReplies replies that differed from the golden run
 * @param detectedAs what the host detected on the target, or empty
 * @param detectionMillis injection to detection, or -1
 * @param recoveryMillis detection to the target's completed recovery, or -1
 * @param otherDetections faults the host detected on other replicas during the window
 * @param windowMillis how long the whole window took
 */
public record InjectionRecord(int index, InjectedFault kind, int replica, int afterRequest, long arg, long seed,
                              long sequence, int groupEpoch, String detail, Outcome outcome, String explanation,
                              int requests, int wrongReplies, String detectedAs, double detectionMillis,
                              double recoveryMillis, int otherDetections, double windowMillis) {
}

package io.resh.gateway.ordered;

import io.resh.core.FaultKind;

/** What the multiplexer tells the replica group. Called on the event loop. */
public interface GroupCallbacks {

    /** The group's name, which the multiplexer's log lines begin with ({@code group redis: ...}). */
    default String group() {
        return "unnamed";
    }

    /** Replica {@code slot} is faulty and no longer in the vote; kill and replace it. */
    void fault(int slot, FaultKind kind, long sequence, String evidence);

    /**
     * As {@link #fault}, for a replica that failed (its process exited, its connection broke) while it owed no reply:
     * no request is to blame, and {@code answeredThrough}, the last request it answered (0 for none), is the one it
     * failed after.
     */
    void faultWhileIdle(int slot, FaultKind kind, long answeredThrough, String evidence);

    /** Replica {@code slot} replayed {@code replayed} logged requests, answered them all, and now votes. */
    void caughtUp(int slot, long sequence, long replayed);

    /**
     * Request {@code sequence} crashed or hung f+1 replicas, then f+1 of their replacements when it was replayed:
     * it is dropped from the replay log. The replicas' faults were the request's doing, so their restarts are
     * not held against them.
     *
     * @param slots the replicas (slot bits) it crashed or hung
     * @param processes how many processes it crashed or hung
     */
    void skipped(long sequence, int slots, int processes, String detail);

    /**
     * Request {@code sequence}, which replicas answered (or may yet: it is in flight), crashed or hung f+1 replacements
     * replaying it alone, then f+1 of theirs: no replica can be rebuilt by replay past it, yet it is kept in the replay
     * log, since dropping it would undo a write its client was told of. The group runs on the replicas that executed
     * it and restarts the others with back-off; said once per request.
     *
     * @param request how it is named, e.g. {@code request #3 (EXIT)}
     * @param replacementsFailed how many replacements failed at it, as counted
     * @param executed the replicas that executed it, which the group runs on
     * @param notRebuilt the replicas that cannot be rebuilt by replay while it fails every replay
     * @param serving {@code executed} are enough (f+1) to agree on an answer
     * @param detail one line for people, with what the operator can do
     */
    void unreplayable(long sequence, String request, int replacementsFailed, int executed, int notRebuilt,
                      boolean serving, String detail);

    /** No value could be voted for a state-changing request: the group stops answering. */
    void failStopped(long sequence, String detail);

    /**
     * f+1 replicas saved their state at request {@code sequence} and agreed on its {@code digest}: copy what replica {@code source} saved, then tell the multiplexer with
     * {@link OrderedMultiplexer#checkpointStored}. Without an override nothing is stored and the log is never cut.
     */
    default void checkpointSaved(long sequence, int source, byte[] digest) {
    }

    /** The checkpoint at request {@code sequence} was not taken: no f+1 replicas agreed on it ({@code why}). */
    default void checkpointNotTaken(long sequence, String why) {
    }

    /**
     * The replay log no longer holds requests up to {@code sequence} ({@code dropped} of them): a replacement must
     * start from the checkpoint stored at that request.
     */
    default void logCut(long sequence, int dropped) {
    }

    /**
     * The replay log, which had overflowed, starts again after the checkpoint at {@code sequence} (just cut there, see
     * {@link #logCut}): failed replicas can be rebuilt again, so those left out meanwhile are to be started again.
     */
    default void logRestarted(long sequence) {
    }

    /** True once the group is being shut down: its replicas are killed on purpose, so their deaths blame no request. */
    default boolean closing() {
        return false;
    }
}

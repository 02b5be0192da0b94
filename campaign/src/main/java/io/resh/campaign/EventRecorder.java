package io.resh.campaign;

import io.resh.core.GroupEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Keeps every group event with the {@link System#nanoTime()} at which it was emitted (events are
 * emitted synchronously on the group's loop thread, so that is when the host acted), for lining
 * detections and recoveries up with injections. Thread-safe.
 */
final class EventRecorder implements Consumer<GroupEvent> {

    /** An event and when it happened on this process's monotonic clock. */
    record Timed(long nanos, GroupEvent event) {
    }

    private final List<Timed> events = new ArrayList<>();

    @Override
    public synchronized void accept(GroupEvent event) {
        events.add(new Timed(System.nanoTime(), event));
    }

    /** A position to pass to {@link #since}. */
    synchronized int mark() {
        return events.size();
    }

    /** Every event recorded after {@code mark}. */
    synchronized List<Timed> since(int mark) {
        return List.copyOf(events.subList(Math.min(mark, events.size()), events.size()));
    }
}

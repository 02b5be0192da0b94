package io.resh.admin;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.resh.core.GroupEvent;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Moves group events off the groups' loop threads. {@link #accept} is the listener given to each group:
 * it only offers the event to a bounded queue and never blocks, so a slow disk or a slow stream client
 * can't stall voting. One admin thread drains the queue into the journal, the metrics and the watches.
 */
final class EventPump implements Consumer<GroupEvent>, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventPump.class);
    private static final Object STOP = new Object();

    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(65_536);
    private final EventJson format;
    private final EventJournal journal;
    private final Map<String, GroupWatch> watches;
    private final Map<String, GroupMetrics> metrics;
    private final Counter dropped;
    private final Thread thread;
    private volatile boolean closed;

    EventPump(EventJson format, EventJournal journal, Map<String, GroupWatch> watches,
              Map<String, GroupMetrics> metrics, MeterRegistry registry) {
        this.format = format;
        this.journal = journal;
        this.watches = watches;
        this.metrics = metrics;
        this.dropped = Counter.builder("resh.admin.events.dropped")
                .description("Events dropped because the admin fell behind (the event log has gaps)").register(registry);
        this.thread = new Thread(this::run, "resh-admin-events");
        thread.setDaemon(true);
        thread.start();
    }

    /** The group listener: called on a group's loop thread, so it must stay non-blocking. */
    @Override
    public void accept(GroupEvent event) {
        if (closed) {
            return; // an event already on its way while the server detached from the group
        }
        if (!queue.offer(event)) {
            dropped.increment();
        }
    }

    private void run() {
        try {
            while (true) {
                Object next = queue.take();
                if (next == STOP) {
                    return;
                }
                handle((GroupEvent) next);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void handle(GroupEvent event) {
        try {
            GroupWatch watch = watches.get(event.group());
            if (watch != null) { // first: it asks for a fresh status before the stream tells anyone of the event
                watch.onEvent(event);
            }
            GroupMetrics m = metrics.get(event.group());
            if (m != null) {
                m.onEvent(event);
            }
            journal.append(format.toJson(event));
        } catch (RuntimeException e) {
            LOG.warn("admin: could not record {} event of group {}: {}", event.type(), event.group(), e.toString());
        }
    }

    /** Records what is already queued, then stops the thread. */
    @Override
    public void close() {
        closed = true;
        try {
            queue.put(STOP);
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}

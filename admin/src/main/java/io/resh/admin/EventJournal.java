package io.resh.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every group event goes once it is JSON: one line in the rotating event log file, the ring of
 * recent events served by {@code /api/events}, and the live stream. Only the admin event thread appends;
 * {@link #recent} may be called from any thread.
 */
final class EventJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);

    private final ObjectMapper json;
    private final RotatingFile file;
    private final int capacity;
    private final Broadcast live = new Broadcast();
    private final ArrayDeque<ObjectNode> ring = new ArrayDeque<>();
    private boolean fileBroken;

    /** @param file null keeps events in memory only */
    EventJournal(ObjectMapper json, RotatingFile file, int capacity) {
        this.json = json;
        this.file = file;
        this.capacity = capacity;
    }

    void append(ObjectNode event) {
        String line;
        try {
            line = json.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            LOG.warn("admin: cannot write event {} as JSON: {}", event.path("type").asText(), e.getMessage());
            return;
        }
        if (file != null) {
            try {
                file.appendLine(line);
                fileBroken = false;
            } catch (IOException e) {
                if (!fileBroken) { // once per outage, not once per event
                    LOG.warn("admin: cannot write the event log {}: {}; events stay in memory", file.path(), e.getMessage());
                }
                fileBroken = true;
            }
        }
        StreamMessage message = new StreamMessage(StreamMessage.GROUP_EVENT, event.path("group").asText(), line);
        synchronized (ring) {
            ring.addLast(event);
            while (ring.size() > capacity) {
                ring.removeFirst();
            }
            live.publish(message); // under the lock, so a new follower sees each event exactly once
        }
    }

    /**
     * Sends the newest {@code backlog} events to {@code backlogSink}, then every new one to {@code liveSink},
     * with no gap and no duplicate between the two.
     *
     * @param group only this group's backlog, or every group's when null
     * @return unsubscribes the live sink
     */
    Runnable follow(int backlog, String group, Consumer<StreamMessage> backlogSink, Consumer<StreamMessage> liveSink) {
        synchronized (ring) {
            for (ObjectNode e : recent(group, backlog)) {
                try {
                    backlogSink.accept(new StreamMessage(StreamMessage.GROUP_EVENT, e.path("group").asText(),
                            json.writeValueAsString(e)));
                } catch (JsonProcessingException ex) {
                    throw new IllegalStateException("an event that was written once serializes again", ex);
                }
            }
            return live.subscribe(liveSink);
        }
    }

    int followers() {
        return live.size();
    }

    /** The newest {@code limit} events, oldest first; only {@code group}'s when it is not null. */
    List<ObjectNode> recent(String group, int limit) {
        List<ObjectNode> out = new ArrayList<>();
        synchronized (ring) {
            Iterator<ObjectNode> it = ring.descendingIterator();
            while (it.hasNext() && out.size() < limit) {
                ObjectNode e = it.next();
                if (group == null || group.equals(e.path("group").asText())) {
                    out.add(e);
                }
            }
        }
        java.util.Collections.reverse(out);
        return out;
    }

    @Override
    public void close() {
        if (file != null) {
            try {
                file.close();
            } catch (IOException e) {
                LOG.warn("admin: closing the event log {}: {}", file.path(), e.getMessage());
            }
        }
    }
}

package io.resh.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every group event goes once it is JSON: one line in the rotating event log file, the ring of
 * recent events served by {@code /api/events}, and the live stream. Only the admin event thread appends;
 * {@link #recent} may be called from any thread.
 *
 * <p>The ring folds a run of one group's checkpoints (no other event of that group between them) into the
 * newest of them. A busy group reports about 50 checkpoints a second; kept one by one, they pushed the rare
 * events someone looks for (a fault, its recovery) out of the ring within seconds. What a checkpoint run
 * tells is its latest checkpoint; the event log file and the live stream still get every one.
 */
final class EventJournal implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(EventJournal.class);
    private static final String CHECKPOINT = "checkpoint";

    private final ObjectMapper json;
    private final RotatingFile file;
    private final int capacity;
    private final Broadcast live = new Broadcast();
    private final ArrayDeque<ObjectNode> ring = new ArrayDeque<>();
    /** Per group, its newest event in the ring if that is a checkpoint: the one the next checkpoint replaces. */
    private final Map<String, ObjectNode> foldable = new HashMap<>();
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
        String group = event.path("group").asText();
        String type = event.path("type").asText();
        StreamMessage message = new StreamMessage(StreamMessage.GROUP_EVENT, group, type, line);
        synchronized (ring) {
            if (type.equals(CHECKPOINT)) {
                ObjectNode previous = foldable.put(group, event);
                if (previous != null) {
                    removeNewest(previous); // the same run of checkpoints: the newer one stands for it
                }
            } else {
                foldable.remove(group); // the run ends here, its last checkpoint stays
            }
            ring.addLast(event);
            while (ring.size() > capacity) {
                ObjectNode oldest = ring.removeFirst();
                foldable.remove(oldest.path("group").asText(), oldest);
            }
            live.publish(message); // under the lock, so a new follower sees each event exactly once
        }
    }

    /** Removes this very event, searching from the newest end, where a group's last checkpoint usually is. */
    private void removeNewest(ObjectNode event) {
        for (Iterator<ObjectNode> it = ring.descendingIterator(); it.hasNext(); ) {
            if (it.next() == event) {
                it.remove();
                return;
            }
        }
    }

    /**
     * Sends the newest {@code backlog} events to {@code backlogSink}, then every new one to {@code liveSink},
     * with no gap and no duplicate between the two.
     *
     * @param group only this group's backlog, or every group's when null
     * @param types only events of these types in the backlog, or of every type when null
     * @return unsubscribes the live sink
     */
    Runnable follow(int backlog, String group, Set<String> types, Consumer<StreamMessage> backlogSink,
                    Consumer<StreamMessage> liveSink) {
        synchronized (ring) {
            for (ObjectNode e : recent(group, types, backlog)) {
                try {
                    backlogSink.accept(new StreamMessage(StreamMessage.GROUP_EVENT, e.path("group").asText(),
                            e.path("type").asText(), json.writeValueAsString(e)));
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

    /**
     * The newest {@code limit} events, oldest first; only {@code group}'s when it is not null, only those of
     * {@code types} when that is not null.
     */
    List<ObjectNode> recent(String group, Set<String> types, int limit) {
        List<ObjectNode> out = new ArrayList<>();
        synchronized (ring) {
            Iterator<ObjectNode> it = ring.descendingIterator();
            while (it.hasNext() && out.size() < limit) {
                ObjectNode e = it.next();
                if ((group == null || group.equals(e.path("group").asText()))
                        && (types == null || types.contains(e.path("type").asText()))) {
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

package io.resh.gateway;

import io.resh.core.GroupEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Fans group events out to listeners; a listener that throws is logged and does not stop the others. */
final class EventDispatcher implements Consumer<GroupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(EventDispatcher.class);
    private final List<Consumer<GroupEvent>> listeners = new CopyOnWriteArrayList<>();

    void add(Consumer<GroupEvent> listener) {
        listeners.add(listener);
    }

    void remove(Consumer<GroupEvent> listener) {
        listeners.remove(listener);
    }

    @Override
    public void accept(GroupEvent event) {
        for (Consumer<GroupEvent> l : listeners) {
            try {
                l.accept(event);
            } catch (RuntimeException e) {
                LOG.warn("event listener failed on {}: {}", event.type(), e.toString());
            }
        }
    }
}

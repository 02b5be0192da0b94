package io.resh.admin;

import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Fans stream messages out to live subscribers (server-sent-event connections). Subscribers must not
 * block: each one only queues bytes on its own connection.
 */
final class Broadcast {
    private static final Logger LOG = LoggerFactory.getLogger(Broadcast.class);
    private final CopyOnWriteArrayList<Consumer<StreamMessage>> subscribers = new CopyOnWriteArrayList<>();

    /** Subscribes; run the returned action to unsubscribe. */
    Runnable subscribe(Consumer<StreamMessage> subscriber) {
        subscribers.add(subscriber);
        return () -> subscribers.remove(subscriber);
    }

    void publish(StreamMessage message) {
        for (Consumer<StreamMessage> s : subscribers) {
            try {
                s.accept(message);
            } catch (RuntimeException e) {
                LOG.warn("admin: stream subscriber failed; dropping it: {}", e.toString());
                subscribers.remove(s);
            }
        }
    }

    int size() {
        return subscribers.size();
    }
}

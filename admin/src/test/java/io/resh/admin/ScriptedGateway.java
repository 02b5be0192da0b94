package io.resh.admin;

import io.resh.core.GroupEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A voting gateway as the admin server sees one, whose status the test sets: a JSON text, or a failure the
 * next status poll meets (as when the gateway's event loop has stopped, or a bug throws an Error).
 */
final class ScriptedGateway implements GatewayView {
    private final String name;
    private final List<Consumer<GroupEvent>> listeners = new CopyOnWriteArrayList<>();
    private volatile String status;
    private volatile Throwable failure; // unchecked: a RuntimeException or an Error

    ScriptedGateway(String name, String status) {
        this.name = name;
        this.status = status;
    }

    /** Answers the next polls with {@code json}. */
    void report(String json) {
        status = json;
        failure = null;
    }

    /** Fails the next polls with {@code e}. */
    void fail(RuntimeException e) {
        failure = e;
    }

    /** Fails the next polls with {@code e}, as a bug in the gateway or its view would. */
    void fail(Error e) {
        failure = e;
    }

    /** Hands {@code event} to the admin server's listeners, as the gateway's event loop does. */
    void emit(GroupEvent event) {
        listeners.forEach(l -> l.accept(event));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String statusJson() {
        Throwable e = failure;
        if (e instanceof RuntimeException r) {
            throw r;
        }
        if (e instanceof Error r) {
            throw r;
        }
        return status;
    }

    @Override
    public void addListener(Consumer<GroupEvent> listener) {
        listeners.add(listener);
    }

    @Override
    public void removeListener(Consumer<GroupEvent> listener) {
        listeners.remove(listener);
    }
}

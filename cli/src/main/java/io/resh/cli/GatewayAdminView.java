package io.resh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.resh.admin.GatewayView;
import io.resh.core.GroupEvent;
import io.resh.gateway.Gateway;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The admin API's view of a running {@link Gateway}: its status as JSON and its events. A cluster host restarts its
 * gateway from a snapshot installed by the leader; the view then {@linkplain #follow follows} the new one.
 */
final class GatewayAdminView implements GatewayView {
    // Paths (replica log files) as plain text, not file: URIs.
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule("resh-paths").addSerializer(Path.class, ToStringSerializer.instance));

    private volatile Gateway gateway;
    /** The admin's listeners, added again to each gateway followed. Guarded by {@code this}. */
    private final List<Consumer<GroupEvent>> listeners = new ArrayList<>();

    GatewayAdminView(Gateway gateway) {
        this.gateway = gateway;
    }

    @Override
    public String name() {
        return gateway.config().group();
    }

    @Override
    public String statusJson() {
        try {
            return JSON.writeValueAsString(gateway.status());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot render the gateway status: " + e.getOriginalMessage(), e);
        }
    }

    @Override
    public synchronized void addListener(Consumer<GroupEvent> listener) {
        listeners.add(listener);
        gateway.addListener(listener);
    }

    @Override
    public synchronized void removeListener(Consumer<GroupEvent> listener) {
        listeners.remove(listener);
        gateway.removeListener(listener);
    }

    /** Shows {@code next}, which replaced the gateway shown (same group), and passes its events on from now. */
    synchronized void follow(Gateway next) {
        if (next == gateway) {
            return;
        }
        Gateway old = gateway;
        gateway = next;
        for (Consumer<GroupEvent> l : listeners) {
            old.removeListener(l);
            next.addListener(l);
        }
    }
}

package io.resh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.ToStringSerializer;
import io.resh.admin.GatewayView;
import io.resh.core.GroupEvent;
import io.resh.gateway.Gateway;
import java.nio.file.Path;
import java.util.function.Consumer;

/** The admin API's view of a running {@link Gateway}: its status as JSON and its events. */
final class GatewayAdminView implements GatewayView {
    // Paths (replica log files) as plain text, not file: URIs.
    private static final ObjectMapper JSON = new ObjectMapper()
            .registerModule(new SimpleModule("resh-paths").addSerializer(Path.class, ToStringSerializer.instance));

    private final Gateway gateway;

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
    public void addListener(Consumer<GroupEvent> listener) {
        gateway.addListener(listener);
    }

    @Override
    public void removeListener(Consumer<GroupEvent> listener) {
        gateway.removeListener(listener);
    }
}

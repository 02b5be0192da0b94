package io.resh.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.resh.core.GroupEvent;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the admin knows about one gateway: its latest status (polled, so HTTP handlers never wait on the
 * gateway's event loop), and meters: faults and recoveries by replica and kind, live replicas.
 */
final class GatewayWatch implements Consumer<GroupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayWatch.class);

    private final GatewayView gateway;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private volatile JsonNode latest;
    private volatile String unreachable;

    GatewayWatch(GatewayView gateway, ObjectMapper json, MeterRegistry registry) {
        this.gateway = gateway;
        this.json = json;
        this.registry = registry;
        Gauge.builder("resh.gateway.replicas.live", this, w -> w.liveReplicas())
                .description("Servers of the gateway currently in the vote").tag("group", gateway.name()).register(registry);
    }

    String name() {
        return gateway.name();
    }

    GatewayView gateway() {
        return gateway;
    }

    void poll() {
        try {
            latest = json.readTree(gateway.statusJson());
            unreachable = null;
        } catch (Exception e) { // the view may throw anything its gateway throws; the admin keeps going
            if (unreachable == null) {
                LOG.warn("admin: gateway {} did not report its status: {}", name(), e.getMessage());
            }
            unreachable = e.getMessage() == null ? e.toString() : e.getMessage();
        }
    }

    /** The newest status with {@code unreachable} added when the last poll failed; null before the first poll. */
    JsonNode view() {
        JsonNode s = latest;
        if (s == null || unreachable == null) {
            return s;
        }
        return ((com.fasterxml.jackson.databind.node.ObjectNode) s.deepCopy()).put("unreachable", unreachable);
    }

    private double liveReplicas() {
        JsonNode s = latest;
        if (s == null) {
            return Double.NaN;
        }
        int live = 0;
        for (JsonNode r : s.path("replicas")) {
            live += r.path("state").asText().equals("live") ? 1 : 0;
        }
        return live;
    }

    /** Counts faults and recoveries; called on the gateway's event loop, so only lock-free meter updates. */
    @Override
    public void accept(GroupEvent e) {
        if (e instanceof GroupEvent.FaultDetected f) {
            registry.counter("resh.gateway.faults", "group", f.group(), "replica", Integer.toString(f.replica()),
                    "kind", f.kind().label()).increment();
        } else if (e instanceof GroupEvent.RecoveryCompleted r) {
            registry.counter("resh.gateway.recoveries", "group", r.group(), "replica", Integer.toString(r.replica()))
                    .increment();
        }
    }
}

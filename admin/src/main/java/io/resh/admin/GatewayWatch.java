package io.resh.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.resh.core.GroupEvent;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the admin knows about one gateway: its latest status (polled, so HTTP handlers never wait on the
 * gateway's event loop), and meters: faults and recoveries by replica and kind, live replicas.
 *
 * <p>As for a group, the status is polled periodically and again at once after an event that changes
 * it, so a client that saw a fault or recovery on the event stream finds it in the status.
 */
final class GatewayWatch implements Consumer<GroupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayWatch.class);

    private final GatewayView gateway;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private volatile JsonNode latest;
    private volatile String unreachable;
    private final CoalescedPoll refresh;

    /** {@code polls} runs the polls that events ask for (the admin's scheduler). */
    GatewayWatch(GatewayView gateway, ObjectMapper json, MeterRegistry registry, Executor polls) {
        this.gateway = gateway;
        this.json = json;
        this.registry = registry;
        this.refresh = new CoalescedPoll(this::poll, polls);
        Gauge.builder("resh.gateway.replicas.live", this, w -> w.liveReplicas())
                .description("Servers of the gateway currently in the vote").tag("group", gateway.name()).register(registry);
    }

    String name() {
        return gateway.name();
    }

    GatewayView gateway() {
        return gateway;
    }

    /** One poll at a time, so an older status that took longer can't overwrite a newer one. */
    synchronized void poll() {
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

    /** Why the last poll failed, or null. */
    String unreachable() {
        return unreachable;
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

    /** Completes when the polls that events asked for so far have finished (at once when none is pending). */
    CompletableFuture<Void> settled() {
        return refresh.settled();
    }

    /**
     * Counts faults and recoveries and asks for a fresh status; called on the gateway's event loop, before
     * the admin's event pump sees the event, so only lock-free meter updates and a hand-off of the poll.
     */
    @Override
    public void accept(GroupEvent e) {
        if (GroupWatch.changesStatus(e)) {
            refresh.request();
        }
        if (e instanceof GroupEvent.FaultDetected f) {
            registry.counter("resh.gateway.faults", "group", f.group(), "replica", Integer.toString(f.replica()),
                    "kind", f.kind().label()).increment();
        } else if (e instanceof GroupEvent.RecoveryCompleted r) {
            registry.counter("resh.gateway.recoveries", "group", r.group(), "replica", Integer.toString(r.replica()))
                    .increment();
        } else if (e instanceof GroupEvent.PoisonRequest p) {
            registry.counter("resh.gateway.poison.requests", "group", p.group()).increment();
        }
    }
}

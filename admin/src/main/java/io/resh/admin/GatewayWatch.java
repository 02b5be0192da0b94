package io.resh.admin;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.resh.core.GroupEvent;
import java.time.Clock;
import java.util.Locale;
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
 *
 * <p>A gateway that does not answer a poll, or answers something that is not a status object, is shown as
 * unreachable, with why and since when, on top of the last status it gave (or of its name alone when it never
 * gave one: a gateway that is down when the admin server starts must not be missing from the list).
 */
final class GatewayWatch implements Consumer<GroupEvent> {
    private static final Logger LOG = LoggerFactory.getLogger(GatewayWatch.class);

    private final GatewayView gateway;
    private final ObjectMapper json;
    private final MeterRegistry registry;
    private final Clock clock;
    private final long watchedSinceMillis;
    private volatile ObjectNode latest;
    private volatile Down down;
    private final CoalescedPoll refresh;

    /** Why the last poll failed (one line) and since when the polls have been failing. */
    private record Down(String why, long sinceMillis) {
    }

    /** {@code polls} runs the polls that events ask for (the admin's scheduler). */
    GatewayWatch(GatewayView gateway, ObjectMapper json, MeterRegistry registry, Executor polls, Clock clock) {
        this.gateway = gateway;
        this.json = json;
        this.registry = registry;
        this.clock = clock;
        this.watchedSinceMillis = clock.millis();
        this.refresh = new CoalescedPoll(this::poll, polls);
        Gauge.builder("resh.gateway.replicas.live", this, GatewayWatch::liveReplicas)
                .description("Servers of the gateway currently in the vote; NaN while it is unreachable")
                .tag("group", gateway.name()).register(registry);
        Gauge.builder("resh.gateway.reachable", this, w -> w.reachable() ? 1 : 0)
                .description("1 while the gateway answers status polls").tag("group", gateway.name()).register(registry);
    }

    String name() {
        return gateway.name();
    }

    GatewayView gateway() {
        return gateway;
    }

    /** One poll at a time, so an older status that took longer can't overwrite a newer one. */
    synchronized void poll() {
        String why;
        try {
            JsonNode s = json.readTree(gateway.statusJson());
            if (s instanceof ObjectNode status) {
                latest = status;
                down = null;
                return;
            }
            why = "gateway " + name() + " answered a status that is not a JSON object (" + kind(s)
                    + "); its GatewayView must return one object";
        } catch (JsonProcessingException e) {
            why = "gateway " + name() + " answered a status that is not JSON: "
                    + Failures.firstLine(e.getOriginalMessage() != null ? e.getOriginalMessage() : e.toString());
        } catch (Throwable e) { // the view may throw anything its gateway throws, a bug's Error too; the admin keeps polling
            Failures.rethrowIfFatal(e);
            // An exception's message says what failed; an Error's is often empty or meaningless without its class.
            String text = e instanceof Exception && e.getMessage() != null ? e.getMessage() : e.toString();
            why = Failures.firstLine(text);
        }
        Down before = down;
        if (before == null) {
            LOG.warn("admin: gateway {} did not report its status: {}", name(), why);
        }
        down = new Down(why, before == null ? clock.millis() : before.sinceMillis());
    }

    /** Asks for a poll now; {@link #settled} waits for it. */
    void refresh() {
        refresh.request();
    }

    private static String kind(JsonNode n) {
        return switch (n.getNodeType()) {
            case ARRAY -> "an array";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL -> "null";
            case MISSING -> "an empty text";
            default -> n.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    /** Whether the last poll gave a status. */
    boolean reachable() {
        return down == null && latest != null;
    }

    /**
     * The newest status, with {@code unreachable} (why) and {@code unreachableSinceMillis} added when the last poll
     * failed. Without a status yet, only the name and those two: a gateway whose first poll failed or has not
     * finished is shown, not left out.
     */
    ObjectNode view() {
        ObjectNode s = latest;
        Down d = down;
        if (s != null && d == null) {
            return s;
        }
        if (d == null) { // the first poll has not finished (the API waits for it a while before it asks here)
            d = new Down("gateway " + name() + " has not answered its first status poll yet", watchedSinceMillis);
        }
        ObjectNode v;
        if (s != null) {
            v = s.deepCopy();
        } else {
            v = json.createObjectNode().put("group", name());
            v.putArray("replicas");
        }
        return v.put("unreachable", d.why()).put("unreachableSinceMillis", d.sinceMillis());
    }

    /** NaN rather than the last count while unreachable: servers may have died since, and an alert must not miss it. */
    private double liveReplicas() {
        JsonNode s = latest;
        if (s == null || down != null) {
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
        } else if (e instanceof GroupEvent.UnreplayableRequest u) {
            registry.counter("resh.gateway.unreplayable.requests", "group", u.group()).increment();
        }
    }
}

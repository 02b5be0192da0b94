package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.resh.core.ConfigException;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import io.resh.core.ReshException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code resh events [--follow] [--type T,…]}: recent faults, recoveries and checkpoints, or the live stream of them. */
@Command(name = "events", mixinStandardHelpOptions = true,
        description = "Print recent group events (faults, recoveries, checkpoints); --follow streams new ones.")
public final class EventsCommand implements Callable<Integer> {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

    @Option(names = {"-f", "--follow"}, description = "Keep printing events as they happen (Ctrl-C to stop).")
    boolean follow;

    @Option(names = {"-n", "--limit"}, paramLabel = "N", defaultValue = "20",
            description = "How many recent events to print first (default: ${DEFAULT-VALUE}).")
    int limit;

    @Option(names = "--count", paramLabel = "N", description = "With --follow: stop after printing N events.")
    Integer count;

    @Option(names = {"-g", "--group"}, paramLabel = "NAME", description = "Only this group's events.")
    String group;

    @Option(names = {"-t", "--type"}, paramLabel = "TYPE[,TYPE...]",
            description = "Only events of these types, e.g. fault,recovered (the event log's \"type\"; an unknown one"
                    + " is refused with the list).")
    String types;

    @Option(names = "--json", description = "Print each event as the JSON line the event log holds.")
    boolean json;

    @Mixin
    AdminClient.Options admin = new AdminClient.Options();

    /** How long the followed stream may stay silent before the server is taken for paused (shorter in tests). */
    Duration silence = AdminClient.FOLLOW_SILENCE;

    @Spec
    CommandSpec spec;

    public EventsCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        // Usage errors, thrown to the command line as picocli's own are answered: exit status 2, not the 1 of a
        // failed call.
        // the server's bound, checked here: its refusal named its query parameter 'limit', not --limit
        ConfigException.requireBetween("--limit", limit, 0, io.resh.admin.AdminConfig.MAX_EVENTS_LISTED);
        if (count != null) {
            ConfigException.requireAtLeast("--count", count, 1);
            if (!follow) {
                throw new ConfigException("--count", "only with --follow, which it stops after N events; without"
                        + " --follow, use --limit N for the N most recent");
            }
        }
        String typeParam = "";
        if (types != null) {
            try {
                // Checked here, as the server would: a misspelt type is a usage error, not an empty listing.
                typeParam = "&type=" + URLEncoder.encode(String.join(",", GroupEvent.parseTypes(types)), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--type", e.getMessage());
            }
        }
        try {
            AdminClient client = AdminClient.connect(admin, group);
            String groupParam = (group == null ? "" : "&group=" + URLEncoder.encode(group, StandardCharsets.UTF_8)) + typeParam;
            if (!follow) {
                if (limit > 0) {
                    for (JsonNode e : client.get("/api/events?limit=" + limit + groupParam)) {
                        out.println(format(e));
                    }
                }
                out.flush();
                return 0;
            }
            int[] printed = {0};
            boolean stoppedByUs = client.follow("/api/events/stream?backlog=" + limit + groupParam, (name, data) -> {
                if (!name.equals("group-event")) {
                    return true;
                }
                out.println(format(parse(data)));
                out.flush();
                printed[0]++;
                return count == null || printed[0] < count;
            }, silence);
            if (!stoppedByUs) {
                spec.commandLine().getErr().println("resh events: the server closed the stream");
                return 1;
            }
            return 0;
        } catch (AdminClient.ServerNotChosen e) {
            throw e; // a usage error, as above
        } catch (ReshException e) {
            spec.commandLine().getErr().println("resh events: " + e.getMessage());
            return 1;
        }
    }

    private static JsonNode parse(String data) {
        try {
            return AdminClient.json().readTree(data);
        } catch (IOException e) {
            throw new ReshException("the server sent an event that is not JSON: " + data);
        }
    }

    String format(JsonNode e) {
        if (json) {
            return e.toString();
        }
        StringBuilder sb = new StringBuilder();
        sb.append(TIME.format(Instant.ofEpochMilli(e.path("timeMillis").asLong()))).append("  ")
                .append(e.path("group").asText()).append("  ");
        if (e.has("replica")) {
            sb.append("replica ").append(e.get("replica").asInt());
            if (e.hasNonNull("core")) {
                sb.append(" (core ").append(e.get("core").asInt()).append(')');
            }
            sb.append("  ");
        }
        String type = e.path("type").asText();
        if (type.equals("fault") && e.path("kind").asText().equals(FaultKind.START_FAILURE.label())) {
            sb.append(GroupEvent.FaultDetected.STARTING).append("  ");
        } else if (e.path("idle").asBoolean(false)) {
            // The replica held no request when it failed: the sequence number is the last one it answered.
            sb.append(GroupEvent.FaultDetected.where(e.path("sequence").asLong(), true)).append("  ");
        } else if (e.has("sequence")) {
            sb.append('#').append(e.get("sequence").asLong()).append("  ");
        }
        sb.append(type.equals("fault") ? "FAULT " + e.path("kind").asText() : type).append("  ");
        switch (type) {
            case "fault":
            case "rollback":
            case "fail-stop":
            case "poison-request":
            case "unreplayable-request":
                sb.append(e.path("evidence").asText());
                break;
            case "injected":
                sb.append(e.path("fault").asText()).append(": ").append(e.path("detail").asText());
                break;
            case "replica-started":
                sb.append("pid ").append(e.path("pid").asLong()).append(", incarnation ").append(e.path("incarnation").asInt());
                break;
            case "recovery-started":
                sb.append(e.path("reason").asText());
                break;
            case "recovered":
                long replayed = e.path("replayed").asLong();
                sb.append("in ").append(e.path("durationMillis").asLong()).append(" ms, replayed ")
                        .append(replayed).append(replayed == 1 ? " request" : " requests");
                break;
            case "checkpoint":
                sb.append("digest ").append(e.path("digest").asText().substring(0, Math.min(12, e.path("digest").asText().length())))
                        .append(", ").append(e.path("snapshotBytes").asLong()).append(" B");
                break;
            default:
                sb.append(supervision(type, e));
        }
        return sb.toString().stripTrailing();
    }

    /**
     * The supervisor's events (docs/OBSERVABILITY.md lists their fields) in words; they used to be printed as
     * their whole JSON line after the type. An event type this version does not know still is.
     */
    private static String supervision(String type, JsonNode e) {
        switch (type) {
            case "backed-off":
                return "restarted " + e.path("restarts").asInt() + " times within " + e.path("windowMillis").asLong() / 1000
                        + " s; next start in " + e.path("delayMillis").asLong() + " ms";
            case "core-suspected":
                return "core " + e.path("core").asInt() + " suspect: reputation " + e.path("reputation").asText() + " after "
                        + e.path("faults").asInt() + " faults (" + e.path("evidence").asText() + ")";
            case "core-cleared":
                return "core " + e.path("core").asInt() + " trusted again: reputation " + e.path("reputation").asText();
            case "replica-moved":
                return "core " + e.path("fromCore").asInt() + " -> " + e.path("toCore").asInt() + ": " + e.path("reason").asText();
            case "version-quarantined":
                return "version " + e.path("version").asText() + " restarted " + e.path("restarts").asInt() + " times within "
                        + e.path("windowMillis").asLong() / 1000 + " s; quarantined until " + e.path("until").asText()
                        + "; its slots run " + (e.hasNonNull("replacement") ? e.get("replacement").asText() : "nothing");
            case "version-released":
                return "version " + e.path("version").asText();
            case "rejuvenated":
                return "in " + e.path("durationMillis").asLong() + " ms";
            case "self-repaired":
                return e.path("invariant").asText() + ": " + e.path("found").asText() + "; repaired: " + e.path("repair").asText();
            case "redundancy":
                return e.path("from").asText() + " -> " + e.path("to").asText() + ": " + e.path("reason").asText();
            default:
                return e.toString();
        }
    }
}

package io.resh.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.ConfigException;
import io.resh.core.ReshException;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code resh status}: the groups a running {@code resh serve} hosts, and the state of every replica. On a
 * cluster host it first shows the host's Raft view (role, leader, term, indices, members); given one
 * {@code --url} per cluster host it shows one row per host instead.
 */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show each replica group and its replicas (state, core, reputation, last fault).",
                "On a cluster host, first this host's role, leader, term, log indices and the members.",
                "With --url once per cluster host: one row per host (role, leader, term, commit, applied, replicas)."},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {"0:every group and gateway shown is serving",
                "1:the admin API could not be asked or did not answer (with --url once per cluster host: a host did not)",
                "2:a bad option, or several servers run and neither --url nor --group picks one",
                "3:a group or gateway shown is not serving: failed (fail-stop), unreachable, still starting, or a"
                        + " gateway with fewer than f+1 live servers (with --url once per cluster host: every host"
                        + " answered, and one's group or gateway failed stop, has too few live servers, or is restarting)"})
public final class StatusCommand implements Callable<Integer> {
    /**
     * A group or gateway shown does not serve. Its own code, apart from the 1 of a server that could not be asked:
     * {@code resh status && ...} in a health check passed while a group had failed stop.
     */
    static final int NOT_SERVING = 3;

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");

    @Mixin
    AdminClient.HostsOptions admin = new AdminClient.HostsOptions();

    @Option(names = "--json", description = "Print the admin API's JSON instead of a table.")
    boolean json;

    @Option(names = {"-g", "--group"}, paramLabel = "NAME", description = "Only this group.")
    String group;

    @Spec
    CommandSpec spec;

    public StatusCommand() {
    }

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try {
            List<AdminClient> clients = AdminClient.connectEach(admin, group);
            if (clients.size() > 1) {
                return hosts(out, clients);
            }
            AdminClient client = clients.get(0);
            // Reads answer in milliseconds; a paused server (SIGSTOP) takes the connection and never answers.
            Duration wait = ClusterTable.STATUS_TIMEOUT;
            JsonNode cluster = client.getIfPresent("/api/cluster", wait); // absent on a plain group
            JsonNode gateways = client.getIfPresent("/api/gateways", wait); // absent on older servers
            if (group != null && gateways != null) {
                JsonNode only = AdminClient.json().createArrayNode();
                gateways.forEach(g -> {
                    if (g.path("group").asText().equals(group)) {
                        ((com.fasterxml.jackson.databind.node.ArrayNode) only).add(g);
                    }
                });
                gateways = only;
            }
            boolean gatewayNamed = group != null && gateways != null && !gateways.isEmpty();
            JsonNode groups = group == null ? client.get("/api/groups", wait) : gatewayNamed ? AdminClient.json().createArrayNode()
                    : AdminClient.json().createArrayNode().add(client.get("/api/groups/" + AdminClient.segment(group), wait));
            if (json) {
                JsonNode shown = groups;
                if (cluster != null) {
                    shown = AdminClient.json().createObjectNode().<ObjectNode>set("cluster", cluster).set("groups", groups);
                } else if (gateways != null && !gateways.isEmpty()) {
                    shown = AdminClient.json().createObjectNode().<ObjectNode>set("groups", groups).set("gateways", gateways);
                }
                out.println(AdminClient.json().writerWithDefaultPrettyPrinter().writeValueAsString(shown));
                out.flush();
                return allServing(groups, gateways) ? 0 : NOT_SERVING;
            }
            if (cluster != null) {
                ClusterTable.host(out, cluster);
                out.println();
            }
            boolean anyGateway = gateways != null && !gateways.isEmpty();
            if (anyGateway) {
                for (Iterator<JsonNode> it = gateways.elements(); it.hasNext(); ) {
                    printGateway(out, it.next());
                    if (it.hasNext() || !groups.isEmpty()) {
                        out.println();
                    }
                }
            }
            if (groups.isEmpty()) {
                if (!anyGateway) {
                    out.println("no replica groups are running");
                }
            } else {
                for (Iterator<JsonNode> it = groups.elements(); it.hasNext(); ) {
                    print(out, it.next());
                    if (it.hasNext()) {
                        out.println();
                    }
                }
            }
            out.flush();
            return allServing(groups, gateways) ? 0 : NOT_SERVING;
        } catch (ConfigException | AdminClient.ServerNotChosen e) {
            throw e; // a usage error: the command line answers it with status 2
        } catch (ReshException | JsonProcessingException e) {
            spec.commandLine().getErr().println("resh status: " + e.getMessage());
            return 1;
        }
    }

    /**
     * Whether every group and gateway serves. Any state but {@code serving} counts against it, a state a newer server
     * may add included: {@code failed}, {@code unreachable} (its status could not be had), {@code starting} (none yet).
     */
    static boolean allServing(JsonNode groups, JsonNode gateways) {
        for (JsonNode g : groups) {
            if (!g.path("state").asText().equals("serving")) {
                return false;
            }
        }
        if (gateways != null) {
            for (JsonNode g : gateways) {
                // notServing: too few servers are healthy to vote, so it answers nothing, though it did not stop.
                if (g.hasNonNull("failStop") || g.hasNonNull("notServing") || g.hasNonNull("unreachable")) {
                    return false;
                }
            }
        }
        return true;
    }

    /** How the admin API refuses the cluster routes on a server that is not a cluster host. */
    private static final String NOT_A_CLUSTER_HOST = "does not run on a cluster host";

    /** One row per cluster host; exit status as {@link ClusterTable#exitStatus}. */
    private int hosts(PrintWriter out, List<AdminClient> clients) throws JsonProcessingException {
        List<ClusterTable.Answer> answers = ClusterTable.ask(clients);
        if (answers.stream().allMatch(a -> a.status() == null && a.error().contains(NOT_A_CLUSTER_HOST))) {
            // Each said that /api/cluster, a path the user never typed, does not apply; the mistake is the option.
            throw new ConfigException("--url", "more than one asks cluster hosts, and none of these servers runs on one"
                    + " (their configs have no cluster: section); give one --url per resh status");
        }
        if (json) {
            out.println(AdminClient.json().writerWithDefaultPrettyPrinter().writeValueAsString(ClusterTable.json(answers)));
        } else {
            ClusterTable.rows(out, answers);
        }
        out.flush();
        return ClusterTable.exitStatus(answers);
    }

    static void print(PrintWriter out, JsonNode g) {
        int n = g.path("n").asInt();
        // An adaptive group runs DMR while quiet and TMR after a divergence: say which, as the dashboard does
        // (it was always printed as TMR).
        JsonNode sv = g.path("supervision");
        String mode = sv.path("adaptive").asBoolean()
                ? "adaptive DMR/TMR, now " + sv.path("redundancy").asText().toUpperCase(Locale.ROOT)
                : n == 2 ? "DMR" : n == 3 ? "TMR" : n + "-MR";
        JsonNode c = g.path("counters");
        long faults = 0;
        for (Iterator<String> names = c.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (name.startsWith("faults.")) {
                faults += c.get(name).asLong();
            }
        }
        // "masks f=1" of a group running DMR said it masked what it can only detect: its third replica sleeps.
        String masks = sv.path("adaptive").asBoolean() && sv.path("redundancy").asText().equals("dmr")
                ? "one dormant: detects, masks none" : "masks f=" + g.path("f").asInt();
        out.printf(Locale.ROOT, "%s  %s (N=%d, %s)  %s%s%n", g.path("name").asText(), mode, n, masks,
                g.path("state").asText().toUpperCase(Locale.ROOT),
                g.hasNonNull("detail") ? ": " + g.get("detail").asText() : "");
        if (g.has("checkpoint")) {
            long poison = c.path("poison-requests").asLong();
            // Voted service errors and DMR roll-backs, when there were any: without them "voted" fell short of
            // "requests" and "recoveries" exceeded "faults" (a roll-back replaces both replicas) with no reason given.
            long serviceErrors = c.path("service-errors").asLong();
            long rollbacks = c.path("rollbacks").asLong();
            out.printf(Locale.ROOT, "  requests %d  voted %d%s  faults %d  recoveries %d%s%s  checkpoint #%d (%.0f s ago)  log %d"
                    + "  pending %d%n",
                    c.path("requests").asLong(), c.path("replies").asLong(),
                    serviceErrors > 0 ? "  service errors " + serviceErrors : "", faults, c.path("recoveries").asLong(),
                    rollbacks > 0 ? "  rollbacks " + rollbacks : "",
                    poison > 0 ? "  requests of death " + poison : "",
                    g.at("/checkpoint/sequence").asLong(), g.at("/checkpoint/ageSeconds").asDouble(),
                    g.path("logLength").asLong(), g.path("pending").asLong());
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REPLICA", "STATE", "CORE", "PID", "INCARNATION", "REPUTATION", "FAULTS", "LAST FAULT"});
        for (JsonNode r : g.path("replicas")) {
            rows.add(new String[] {
                r.path("index").asText(), r.path("state").asText(),
                r.path("core").isNull() ? "-" : r.path("core").asText(),
                r.path("pid").asLong() > 0 ? r.path("pid").asText() : "-",
                r.path("incarnation").asText(),
                String.format(Locale.ROOT, "%.2f", r.path("reputation").asDouble()),
                r.path("faults").asText(),
                r.path("lastFault").asText().isEmpty() ? "-" : abbreviate(r.path("lastFault").asText(), 70)});
        }
        table(out, rows);
    }

    static void printGateway(PrintWriter out, JsonNode g) {
        String unreachable = !g.hasNonNull("unreachable") ? null : g.has("unreachableSinceMillis")
                ? "UNREACHABLE since " + time(g.get("unreachableSinceMillis").asLong()) : "UNREACHABLE";
        if (unreachable != null && !g.has("mode")) { // it never answered a status poll: its name and why are all there is
            out.printf(Locale.ROOT, "%s  gateway  %s: %s%n", g.path("group").asText(), unreachable, g.path("unreachable").asText());
            return;
        }
        int n = g.path("replicas").size();
        out.printf(Locale.ROOT, "%s  gateway, %d servers (masks f=%d)  %s mode, %s on %s:%d  %s%n", g.path("group").asText(), n,
                (n - 1) / 2, g.path("mode").asText(), g.path("protocol").asText(), g.path("host").asText(),
                g.path("port").asInt(), g.hasNonNull("failStop") ? "FAIL-STOPPED: " + g.get("failStop").asText()
                        : unreachable != null ? unreachable + " (its last status below): " + g.get("unreachable").asText()
                        : g.hasNonNull("notServing") ? "NOT SERVING: " + g.get("notServing").asText()
                        : "SERVING");
        long poison = g.path("requestsOfDeath").asLong();
        long checkpoint = g.path("checkpoint").asLong();
        out.printf(Locale.ROOT, "  clients %d  requests %d  in flight %d  undecided %d%s  replay log %d entries%s%s%n",
                g.path("clients").asLong(), g.path("requests").asLong(), g.path("inFlight").asLong(),
                g.path("undecided").asLong(), poison > 0 ? "  requests of death " + poison : "",
                g.path("replayLogEntries").asLong(), checkpoint > 0 ? " after checkpoint #" + checkpoint : "",
                !g.path("replayLogOverflowed").asBoolean() ? ""
                        : g.path("checkpoints").asBoolean() ? " (overflowed: failed servers are rebuilt once the next checkpoint is stored)"
                        : " (overflowed: failed servers are no longer rebuilt)");
        if (g.hasNonNull("unreplayableRequest")) {
            out.printf(Locale.ROOT, "  NOT REBUILT BY REPLAY: %s%n", g.get("unreplayableRequest").asText());
        }
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"REPLICA", "STATE", "CORE", "PID", "PORT", "INCARNATION", "FAULTS", "LAST FAULT"});
        for (JsonNode r : g.path("replicas")) {
            rows.add(new String[] {
                r.path("replica").asText(), r.path("state").asText(),
                r.path("core").asInt(-1) >= 0 ? r.path("core").asText() : "-",
                r.path("pid").asLong() > 0 ? r.path("pid").asText() : "-",
                r.path("port").asInt() > 0 ? r.path("port").asText() : "-",
                r.path("incarnation").asText(), r.path("faults").asText(),
                r.path("lastFault").isNull() || r.path("lastFault").asText().isEmpty() ? "-"
                        : abbreviate(r.path("lastFault").asText(), 70)});
        }
        table(out, rows);
    }

    /** {@code epochMillis} in this machine's zone: the time of day when it is today, else the date too. */
    static String time(long epochMillis) {
        ZonedDateTime at = Instant.ofEpochMilli(epochMillis).atZone(ZoneId.systemDefault());
        return (at.toLocalDate().equals(LocalDate.now(at.getZone())) ? TIME : DATE_TIME).format(at);
    }

    /** Left-aligned columns, two spaces apart, indented under the group line. */
    static void table(PrintWriter out, List<String[]> rows) {
        int[] width = new int[rows.get(0).length];
        for (String[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                width[i] = Math.max(width[i], row[i].length());
            }
        }
        for (String[] row : rows) {
            StringBuilder line = new StringBuilder("  ");
            for (int i = 0; i < row.length; i++) {
                line.append(row[i]);
                if (i < row.length - 1) {
                    line.append(" ".repeat(width[i] - row[i].length() + 2));
                }
            }
            out.println(line);
        }
    }

    private static String abbreviate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max - 1) + "…";
    }
}

package io.resh.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.ReshException;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Prints what cluster hosts answer at {@code GET /api/cluster}: one host in detail, or one row per host
 * with the leader each one follows and how far it has committed and applied the log.
 */
final class ClusterTable {
    private ClusterTable() {
    }

    /** One host's view, e.g. {@code cluster host h1: LEADER, leader h1, term 3}, its indices and the members. */
    static void host(PrintWriter out, JsonNode s) {
        out.printf(Locale.ROOT, "cluster host %s: %s, leader %s, term %d%n", s.path("id").asText(),
                s.path("role").asText(), leaderOf(s), s.path("term").asLong());
        out.printf(Locale.ROOT, "  commit %d  applied %d  snapshot %d  log from %d  requests applied %d  replicas %s%n",
                s.path("commitIndex").asLong(), s.path("appliedIndex").asLong(), s.path("snapshotIndex").asLong(),
                s.path("logStartIndex").asLong(), s.path("appliedRequests").asLong(), replicas(s));
        out.println("  members: " + members(s));
    }

    /** A host's answer, or why there is none. */
    record Answer(String url, JsonNode status, String error) {
    }

    /**
     * How long a host may take to answer its status. A paused host (SIGSTOP, a hung machine) takes the
     * connection and never answers; a running one answers in milliseconds, even while it has no leader.
     */
    static final Duration STATUS_TIMEOUT = Duration.ofSeconds(5);

    /**
     * Asks every client for its host's status, all at once, so that a host that does not answer costs
     * {@link #STATUS_TIMEOUT} once rather than holding up the hosts after it; an unreachable host becomes an
     * answer with an error. The answers are in the order of the clients.
     */
    static List<Answer> ask(List<AdminClient> clients) {
        ExecutorService askers = Executors.newFixedThreadPool(clients.size(), r -> {
            Thread t = new Thread(r, "resh-cluster-status");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Answer>> asked = clients.stream()
                    .map(c -> CompletableFuture.supplyAsync(() -> ask(c), askers)).toList();
            List<Answer> out = new ArrayList<>();
            for (CompletableFuture<Answer> a : asked) {
                out.add(a.join());
            }
            return out;
        } catch (CompletionException e) {
            // Not a host's error (each is an answer) but a bug or a bad URL: throw it as asking in turn did.
            throw e.getCause() instanceof RuntimeException r ? r : e;
        } finally {
            askers.shutdownNow();
        }
    }

    private static Answer ask(AdminClient c) {
        try {
            return new Answer(c.base(), c.get("/api/cluster", STATUS_TIMEOUT), null);
        } catch (ReshException e) {
            return new Answer(c.base(), null, e.getMessage());
        }
    }

    /**
     * The exit status of a command that asked several hosts, by the contract of {@code resh status} on one server:
     * 1 when a host could not be asked, since what it runs is unknown; else {@link StatusCommand#NOT_SERVING} when a
     * host's local group or gateway does not serve; else 0. A script that sees 3 knows every host answered.
     */
    static int exitStatus(List<Answer> answers) {
        if (answers.stream().anyMatch(a -> a.status() == null)) {
            return 1;
        }
        return answers.stream().allMatch(a -> serving(a.status())) ? 0 : StatusCommand.NOT_SERVING;
    }

    /**
     * Whether a host's local group or gateway serves: it has not failed stop, a gateway has f+1 healthy servers to vote
     * (a group fails stop with fewer), and it is not restarting from an installed snapshot (neither is there then; as a
     * group still starting on one server, it does not serve yet).
     */
    static boolean serving(JsonNode s) {
        JsonNode g = s.path("group");
        JsonNode gw = s.path("gateway");
        if (g.isObject()) {
            return !g.path("failed").isTextual();
        }
        return gw.isObject() && !gw.path("failStop").isTextual() && !gw.path("notServing").isTextual();
    }

    /** The answers as a JSON array: each host's status, or {@code {url, error}}. */
    static ArrayNode json(List<Answer> answers) {
        ArrayNode a = AdminClient.json().createArrayNode();
        for (Answer x : answers) {
            if (x.status() != null) {
                a.add(x.status());
            } else {
                ObjectNode n = a.addObject();
                n.put("url", x.url());
                n.put("error", x.error());
            }
        }
        return a;
    }

    /** One row per host, then the leader they agree on (or that they do not). */
    static void rows(PrintWriter out, List<Answer> answers) {
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"HOST", "ROLE", "LEADER", "TERM", "COMMIT", "APPLIED", "SNAPSHOT", "REQUESTS", "REPLICAS"});
        List<String> errors = new ArrayList<>();
        Set<String> views = new LinkedHashSet<>();
        for (Answer a : answers) {
            JsonNode s = a.status();
            if (s == null) {
                errors.add(a.url() + ": " + a.error());
                continue;
            }
            rows.add(new String[] {s.path("id").asText(), s.path("role").asText(), leaderOf(s),
                s.path("term").asText(), s.path("commitIndex").asText(), s.path("appliedIndex").asText(),
                s.path("snapshotIndex").asText(), s.path("appliedRequests").asText(), replicas(s)});
            views.add("leader " + leaderOf(s) + ", term " + s.path("term").asLong());
        }
        if (rows.size() > 1) {
            StatusCommand.table(out, rows);
        }
        for (String e : errors) {
            // The error says why: no connection, a refused token, an error answer. Not all are "unreachable".
            out.println("  no status from " + e);
        }
        if (views.size() == 1) {
            out.println(views.iterator().next() + (rows.size() > 2 ? " (every host that answered agrees)" : ""));
        } else if (views.size() > 1) {
            out.println("hosts disagree (an election may be running): " + String.join("; ", views));
        }
        settingsDiffer(answers).ifPresent(out::println);
    }

    /**
     * A warning when the hosts that answered run their groups with different settings (another service class, replica
     * count or request limit in one host's config): each applies the same log and answers its own way, which clients
     * see only after a leader change. Nothing else compares the hosts' configs.
     */
    static Optional<String> settingsDiffer(List<Answer> answers) {
        Map<String, List<String>> hostsBySettings = new LinkedHashMap<>();
        for (Answer a : answers) {
            String settings = a.status() == null ? "" : a.status().path("settings").asText("");
            if (!settings.isEmpty()) { // empty: the host's group restarts, or the host predates the field
                hostsBySettings.computeIfAbsent(settings, k -> new ArrayList<>()).add(a.status().path("id").asText());
            }
        }
        if (hostsBySettings.size() < 2) {
            return Optional.empty();
        }
        List<String> parts = new ArrayList<>();
        hostsBySettings.forEach((settings, hosts) -> parts.add(String.join(", ", hosts) + ": " + settings));
        return Optional.of("warning: the hosts' groups are configured differently (" + String.join("; ", parts)
                + "); they apply the same requests and answer differently after a leader change: give every host"
                + " the same service, versions, replicas and limits");
    }

    private static String leaderOf(JsonNode s) {
        String leader = s.path("leader").asText("");
        return leader.isEmpty() ? "-" : leader;
    }

    /**
     * Live replicas of the local group over all, e.g. {@code 3/3 live}: a voted replica group's active
     * replicas, or a gateway host's live servers; {@code restarting} while the host installs a snapshot.
     */
    static String replicas(JsonNode s) {
        JsonNode g = s.path("group");
        JsonNode gw = s.path("gateway");
        if (g.isObject()) {
            return count(g.path("replicaStates"), "ACTIVE") + (g.path("failed").isTextual() ? " FAILED" : "");
        }
        if (gw.isObject()) {
            return count(gw.path("replicas"), "live") + (gw.path("failStop").isTextual() ? " FAILED"
                    : gw.path("notServing").isTextual() ? " NOT SERVING" : "");
        }
        return "restarting";
    }

    private static String count(JsonNode replicas, String liveState) {
        int live = 0;
        int total = 0;
        for (JsonNode r : replicas) {
            total++;
            if (liveState.equalsIgnoreCase(r.path("state").asText())) {
                live++;
            }
        }
        return live + "/" + total + " live";
    }

    /** The members, e.g. {@code h1 (Raft 127.0.0.1:7501, clients 127.0.0.1:7401), h2 (...)}. */
    static String members(JsonNode s) {
        List<String> out = new ArrayList<>();
        for (JsonNode p : s.path("peers")) {
            out.add(p.path("id").asText() + " (Raft " + p.path("address").asText() + ", clients "
                    + p.path("client").asText() + ")");
        }
        return out.isEmpty() ? "none" : String.join(", ", out);
    }

    /** Just the member ids, e.g. {@code h1, h2}. */
    static String memberIds(JsonNode peers) {
        List<String> out = new ArrayList<>();
        peers.forEach(p -> out.add(p.path("id").asText()));
        return String.join(", ", out);
    }
}

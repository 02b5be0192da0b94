package io.resh.admin;

import static io.netty.handler.codec.http.HttpResponseStatus.ACCEPTED;
import static io.netty.handler.codec.http.HttpResponseStatus.CONFLICT;
import static io.netty.handler.codec.http.HttpResponseStatus.NOT_FOUND;
import static io.netty.handler.codec.http.HttpResponseStatus.OK;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.resh.core.CompletionCause;
import io.resh.core.ConfigException;
import io.resh.core.Durations;
import io.resh.core.InjectedFault;
import io.resh.core.ReshException;
import io.resh.core.config.SupervisionConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API's routes, all behind the bearer token: {@link AdminEndpoint} lists them, docs/OBSERVABILITY.md
 * describes them. The cluster routes live in {@link ClusterRoutes}.
 *
 * Routes that wait on a group (its loop answers within milliseconds, but may be slow under load) run on
 * the {@code actions} executor, never on a Netty event loop.
 */
final class AdminRoutes {
    private static final Logger LOG = LoggerFactory.getLogger(AdminRoutes.class);
    private static final long INJECT_WAIT_MILLIS = 5_000;
    private static final long FRESH_WAIT_MILLIS = 2_000;

    private final Map<String, GroupWatch> watches;
    private final Map<String, GatewayWatch> gateways;
    private final EventJournal journal;
    private final PrometheusMeterRegistry registry;
    private final ObjectMapper json;
    private final GroupViews views;
    private final Executor actions;
    private final ClusterRoutes cluster;

    AdminRoutes(Map<String, GroupWatch> watches, Map<String, GatewayWatch> gateways, EventJournal journal, PrometheusMeterRegistry registry,
                ObjectMapper json, Executor actions, ClusterMembership membership) {
        this.watches = watches;
        this.gateways = gateways;
        this.journal = journal;
        this.registry = registry;
        this.json = json;
        this.views = new GroupViews(json);
        this.actions = actions;
        this.cluster = new ClusterRoutes(membership, json, actions);
    }

    /**
     * The reply to {@code req}: a bad request is answered with its 4xx status; any other failure, whether the
     * route threw at once or its future failed later, fails the returned future.
     */
    CompletableFuture<HttpReply> handle(AdminRequest req) {
        CompletableFuture<HttpReply> routed;
        try {
            routed = route(req);
        } catch (BadRequestException e) {
            return done(HttpReply.error(e.status(), e.getMessage()));
        } catch (RuntimeException | Error e) {
            // A bug (an AssertionError or a StackOverflowError as much as an exception): thrown on the event loop, it
            // would reach Netty, which closes the connection without an answer.
            Failures.rethrowIfFatal(e);
            return CompletableFuture.failedFuture(e);
        }
        // A reply built after a wait (see afterPendingPolls) may still find the request bad.
        return routed.handle((reply, error) -> {
            if (error == null) {
                return reply;
            }
            if (CompletionCause.of(error) instanceof BadRequestException e) {
                return HttpReply.error(e.status(), e.getMessage());
            }
            throw error instanceof CompletionException c ? c : new CompletionException(error);
        });
    }

    private CompletableFuture<HttpReply> route(AdminRequest req) {
        List<AdminEndpoint> atPath = AdminEndpoint.at(req.segments());
        if (atPath.isEmpty()) {
            throw new BadRequestException(NOT_FOUND, "no such endpoint: " + req.path());
        }
        String[] p = req.segments().toArray(String[]::new);
        // p[0] is "" (the path starts with '/'). What the path names must exist before its method matters: an
        // unknown group, or the cluster of a host outside one, is 404 whatever the method.
        if (p.length > 3 && p[2].equals("groups")) {
            watch(p[3]);
        } else if (p.length > 2 && p[2].equals("cluster")) {
            cluster.requireMembership(req);
        }
        return switch (AdminEndpoint.of(atPath, req)) {
            case METRICS -> done(HttpReply.text(OK, "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
            case GROUPS -> afterPendingPolls(watches.values().stream().map(GroupWatch::settled), () -> {
                ArrayNode all = json.createArrayNode();
                watches.values().forEach(w -> all.add(views.group(w)));
                return HttpReply.json(json, OK, all);
            });
            case GROUP -> {
                GroupWatch w = watch(p[3]);
                yield afterPendingPolls(Stream.of(w.settled()), () -> HttpReply.json(json, OK, views.group(w)));
            }
            case EVENTS -> done(events(req));
            case EVENT_STREAM -> throw new IllegalStateException("AdminHandler opens event streams itself");
            case SERIES -> done(series(req));
            case FAULTS -> done(faults());
            case GATEWAYS -> afterPendingPolls(gateways.values().stream().map(GatewayWatch::settled), this::gateways);
            case GATEWAY -> {
                GatewayWatch one = gateways.get(p[3]);
                yield afterPendingPolls(one == null ? Stream.empty() : Stream.of(one.settled()), () -> gateway(p[3]));
            }
            case INJECT -> inject(req, watch(p[3]));
            case RESTART -> {
                GroupWatch w = watch(p[3]);
                yield restart(req, w, replica(w, p[5]));
            }
            case CHECKPOINT -> checkpoint(req, watch(p[3]));
            case REJUVENATION -> rejuvenation(req, watch(p[3]));
            case CLUSTER -> cluster.status();
            case ADD_PEER -> cluster.add(req, body(req, "id", "address", "client"));
            case REMOVE_PEER -> cluster.remove(req, p[4]);
            case LEADER -> cluster.transfer(req, body(req, "id"));
        };
    }

    /** The latest polled status of each gateway; those that do not answer its polls too, marked unreachable. */
    private HttpReply gateways() {
        ArrayNode all = json.createArrayNode();
        gateways.values().forEach(g -> all.add(g.view()));
        return HttpReply.json(json, OK, all);
    }

    /** The latest polled status of gateway {@code name}, as in the list. */
    private HttpReply gateway(String name) {
        GatewayWatch g = gateways.get(name);
        if (g == null) {
            throw new BadRequestException(NOT_FOUND, "no gateway '" + name + "'; gateways: "
                    + (gateways.isEmpty() ? "none" : String.join(", ", gateways.keySet())));
        }
        return HttpReply.json(json, OK, g.view());
    }

    /**
     * The reply built once the status polls that recent events asked for have finished, so a client that
     * saw a fault or a recovery on the stream and asks at once finds it in the status. The poll asks the
     * group's loop, which answers within milliseconds; a loop that does not answer within {@link
     * #FRESH_WAIT_MILLIS} gets the latest status it gave instead.
     */
    private CompletableFuture<HttpReply> afterPendingPolls(Stream<CompletableFuture<Void>> settled, Supplier<HttpReply> reply) {
        CompletableFuture<?>[] pending = settled.filter(f -> !f.isDone()).toArray(CompletableFuture[]::new);
        if (pending.length == 0) {
            return done(reply.get());
        }
        return CompletableFuture.allOf(pending).completeOnTimeout(null, FRESH_WAIT_MILLIS, TimeUnit.MILLISECONDS)
                .thenApply(ignored -> reply.get()); // on the poll's thread: a small JSON tree, built in microseconds
    }

    private HttpReply events(AdminRequest req) {
        String group = req.param("group", null);
        requireKnown(group);
        int limit = req.intParam("limit", 100, 1, AdminConfig.MAX_EVENTS_LISTED);
        ArrayNode a = json.createArrayNode();
        journal.recent(group, req.eventTypes(), limit).forEach(a::add);
        return HttpReply.json(json, OK, a);
    }

    private HttpReply series(AdminRequest req) {
        String group = req.param("group", null);
        ObjectNode n = json.createObjectNode();
        for (GroupWatch w : watches.values()) {
            if (group == null || group.equals(w.name())) {
                n.set(w.name(), views.samples(w.samples()));
            }
        }
        if (group != null && n.isEmpty()) {
            watch(group);
        }
        return HttpReply.json(json, OK, n);
    }

    private HttpReply faults() {
        ArrayNode a = json.createArrayNode();
        for (InjectedFault f : InjectedFault.values()) {
            ObjectNode n = a.addObject();
            n.put("fault", f.label());
            n.put("insideReplica", f.insideReplica());
            n.put("description", describe(f));
            n.put("arg", argMeaning(f));
        }
        return HttpReply.json(json, OK, a);
    }

    static String describe(InjectedFault f) {
        switch (f) {
            case CRASH: return "SIGKILL the replica process";
            case HANG: return "SIGSTOP the replica process: it stops answering";
            case SLOW: return "delay the replica's next reply";
            case REPLY_CORRUPTION: return "flip one bit of the replica's next reply";
            case STATE_CORRUPTION: return "flip one bit in the replica's live state (caught at the next checkpoint)";
            case BYZANTINE: return "answer the next request with a plausible but wrong reply";
            case IPC_GARBAGE: return "write malformed bytes on the replica's IPC channel";
            default: return f.label();
        }
    }

    private static String argMeaning(InjectedFault f) {
        switch (f) {
            case SLOW: return "delay in ms (default 500)";
            case REPLY_CORRUPTION: return "bit index, modulo the reply's length (default random)";
            case STATE_CORRUPTION:
            case IPC_GARBAGE: return "random seed (default random)";
            default: return "unused";
        }
    }

    private static long defaultArg(InjectedFault f) {
        switch (f) {
            case SLOW: return 500;
            case REPLY_CORRUPTION: return ThreadLocalRandom.current().nextInt(0, 1 << 12);
            case STATE_CORRUPTION:
            case IPC_GARBAGE: return ThreadLocalRandom.current().nextLong(1, Long.MAX_VALUE);
            default: return 0;
        }
    }

    private CompletableFuture<HttpReply> inject(AdminRequest req, GroupWatch w) {
        JsonNode body = body(req, "fault", "replica", "arg");
        if (!body.path("fault").isTextual()) {
            throw new BadRequestException("body needs \"fault\": one of " + labels());
        }
        InjectedFault fault;
        try {
            fault = InjectedFault.parse(body.get("fault").asText());
        } catch (IllegalArgumentException e) {
            throw new BadRequestException(e.getMessage());
        }
        if (!body.path("replica").canConvertToInt() || !body.path("replica").isIntegralNumber()) {
            throw new BadRequestException("body needs \"replica\": a replica index from 0 to " + (w.replicas() - 1));
        }
        int replica = replica(w, body.get("replica").asText());
        long arg;
        if (body.hasNonNull("arg")) {
            if (!body.get("arg").isIntegralNumber()) {
                throw new BadRequestException("\"arg\" must be a whole number (" + argMeaning(fault) + ")");
            }
            arg = body.get("arg").asLong();
            if (arg < 0) {
                throw new BadRequestException("\"arg\" must be 0 or more, got " + arg + " (" + argMeaning(fault) + ")");
            }
        } else {
            arg = defaultArg(fault);
        }
        LOG.info("admin: {} asks to inject {} into group {} replica {} (arg {})", req.remote(), fault.label(), w.name(), replica, arg);
        return CompletableFuture.supplyAsync(() -> {
            ObjectNode out = json.createObjectNode();
            out.put("group", w.name());
            out.put("replica", replica);
            out.put("fault", fault.label());
            out.put("arg", arg);
            try {
                String detail = w.group().faults().inject(fault, replica, arg).get(INJECT_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                out.put("status", "done");
                out.put("detail", detail);
                return HttpReply.json(json, OK, out);
            } catch (TimeoutException e) {
                out.put("status", "pending");
                out.put("detail", "the replica has not carried the fault out yet (it acts on its next request)");
                return HttpReply.json(json, ACCEPTED, out);
            } catch (ExecutionException e) {
                return HttpReply.error(CONFLICT, "cannot inject " + fault.label() + " into group " + w.name()
                        + " replica " + replica + ": " + e.getCause().getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return HttpReply.error(CONFLICT, "interrupted");
            } catch (ReshException | IllegalArgumentException | IllegalStateException e) {
                return HttpReply.error(CONFLICT, "cannot inject " + fault.label() + " into group " + w.name()
                        + " replica " + replica + ": " + e.getMessage());
            }
        }, actions);
    }

    /**
     * A graceful replacement: the host starts a fresh process that restores the stable checkpoint and replays
     * the log tail. It is not a fault: no reputation is lost and the restart intensity does not count it.
     */
    private CompletableFuture<HttpReply> restart(AdminRequest req, GroupWatch w, int replica) {
        LOG.info("admin: {} asks to restart group {} replica {}", req.remote(), w.name(), replica);
        return CompletableFuture.supplyAsync(() -> {
            try {
                String detail = w.group().restart(replica);
                ObjectNode out = json.createObjectNode();
                out.put("group", w.name());
                out.put("replica", replica);
                out.put("status", "restarting");
                out.put("detail", detail + "; it restores the stable checkpoint and replays the log tail");
                return HttpReply.json(json, ACCEPTED, out);
            } catch (RuntimeException e) {
                return HttpReply.error(CONFLICT, "cannot restart group " + w.name() + " replica " + replica + ": "
                        + e.getMessage());
            }
        }, actions);
    }

    private CompletableFuture<HttpReply> checkpoint(AdminRequest req, GroupWatch w) {
        LOG.info("admin: {} asks group {} for a checkpoint", req.remote(), w.name());
        return CompletableFuture.supplyAsync(() -> {
            try {
                String failed = w.group().status().failed();
                if (failed != null) {
                    // No replica runs after a fail-stop: "requested, watch for a checkpoint event" promised an event
                    // that never came.
                    return HttpReply.error(CONFLICT, "cannot checkpoint group " + w.name() + ": it failed stop, no replica"
                            + " runs (" + failed + ")");
                }
                long seq = w.group().checkpointNow();
                ObjectNode out = json.createObjectNode();
                out.put("group", w.name());
                if (seq < 0) {
                    out.put("status", "stable");
                    out.put("detail", "the stable checkpoint already covers every request: nothing to do, no event follows");
                    return HttpReply.json(json, OK, out);
                }
                out.put("status", "requested");
                out.put("sequence", seq);
                out.put("detail", "replicas report their state digest at request #" + seq + "; the checkpoint"
                        + " is stable once f+1 agree (watch for a checkpoint event)");
                return HttpReply.json(json, ACCEPTED, out);
            } catch (RuntimeException e) {
                return HttpReply.error(CONFLICT, "cannot checkpoint group " + w.name() + ": " + e.getMessage());
            }
        }, actions);
    }

    private CompletableFuture<HttpReply> rejuvenation(AdminRequest req, GroupWatch w) {
        JsonNode body = body(req, "period");
        String text = body.path("period").asText("").trim();
        Duration period;
        try {
            // "0" too: the error for a too-short period offers it as off, as a config file does
            period = text.equals("off") || text.equals("0") ? Duration.ZERO : Durations.parse("period", text);
        } catch (ConfigException e) {
            throw new BadRequestException("body needs \"period\": " + e.getMessage() + ", or \"off\"");
        }
        String problem = SupervisionConfig.rejuvenationProblem(period);
        if (problem != null) { // a bad value, not a conflict with the group's state
            throw new BadRequestException("\"period\": " + problem);
        }
        String shown = period.isZero() ? "off" : Durations.format(period);
        LOG.info("admin: {} asks to set group {} rejuvenation period to {}", req.remote(), w.name(), shown);
        return CompletableFuture.supplyAsync(() -> {
            try {
                String failed = w.group().status().failed();
                if (failed != null) { // "set … the first in 10 min" promised replacements of replicas that no longer run
                    return HttpReply.error(CONFLICT, "cannot set the rejuvenation period of group " + w.name() + ": it"
                            + " failed stop, no replica runs (" + failed + ")");
                }
                w.group().setRejuvenationPeriod(period);
                w.poll(); // so that the next GET already shows it
                ObjectNode out = json.createObjectNode();
                out.put("group", w.name());
                out.put("period", shown);
                out.put("periodSeconds", period.toMillis() / 1000.0);
                out.put("status", "set");
                out.put("detail", period.isZero() ? "proactive rejuvenation is off"
                        : "every " + shown + " one healthy replica is replaced by a fresh process restored from the"
                        + " stable checkpoint, one at a time and only while the others reach a quorum; the first in " + shown);
                return HttpReply.json(json, OK, out);
            } catch (RuntimeException e) {
                return HttpReply.error(CONFLICT, "cannot set the rejuvenation period of group " + w.name() + ": "
                        + e.getMessage());
            }
        }, actions);
    }

    /**
     * The request's JSON object, which may hold only {@code fields}: a misspelt optional field ({@code "agr"})
     * was ignored, and the call went ahead without it.
     */
    private JsonNode body(AdminRequest req, String... fields) {
        if (req.body().length == 0) {
            throw new BadRequestException("this call needs a JSON body");
        }
        try {
            JsonNode n = json.readTree(req.body());
            if (n == null || !n.isObject()) {
                throw new BadRequestException("the body must be a JSON object");
            }
            List<String> known = List.of(fields);
            for (Iterator<String> names = n.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                if (!known.contains(name)) {
                    throw new BadRequestException("unknown field \"" + name + "\" in the body; this call takes "
                            + known.stream().map(f -> "\"" + f + "\"").collect(Collectors.joining(", ")));
                }
            }
            return n;
        } catch (JsonProcessingException e) {
            throw new BadRequestException("the body is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new BadRequestException("cannot read the body: " + e.getMessage());
        }
    }

    /**
     * Throws the 404 naming the groups and gateways there are unless {@code name} is one of them (or null: all).
     * The event stream asks it too: it answered an unknown group with a stream that never sent an event.
     */
    void requireKnown(String name) {
        if (name != null && !gateways.containsKey(name)) {
            watch(name);
        }
    }

    private GroupWatch watch(String name) {
        GroupWatch w = watches.get(name);
        if (w == null && gateways.containsKey(name)) {
            throw new BadRequestException(NOT_FOUND, "'" + name + "' is a gateway in front of unmodified servers, not a"
                    + " replica group: faults are injected into replica groups only; to fault one of its servers, kill -9"
                    + " or kill -STOP a server pid that resh status shows");
        }
        if (w == null) {
            throw new BadRequestException(NOT_FOUND, "no group '" + name + "'; groups: "
                    + (watches.isEmpty() ? "none" : String.join(", ", watches.keySet()))
                    + (gateways.isEmpty() ? "" : "; gateways: " + String.join(", ", gateways.keySet())));
        }
        return w;
    }

    private static int replica(GroupWatch w, String text) {
        try {
            int i = Integer.parseInt(text.trim());
            if (i >= 0 && i < w.replicas()) {
                return i;
            }
        } catch (NumberFormatException e) {
            // fall through to the error
        }
        throw new BadRequestException(NOT_FOUND, "group " + w.name() + " has replicas 0 to " + (w.replicas() - 1)
                + ", not '" + text + "'");
    }

    private static String labels() {
        StringBuilder sb = new StringBuilder();
        for (InjectedFault f : InjectedFault.values()) {
            sb.append(sb.length() == 0 ? "" : ", ").append(f.label());
        }
        return sb.toString();
    }

    private static CompletableFuture<HttpReply> done(HttpReply reply) {
        return CompletableFuture.completedFuture(reply);
    }
}

package io.resh.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.GroupEvent;
import io.resh.core.GroupEvent.FaultDetected;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One group event as one flat JSON object: the event log's line format and the stream's payload.
 *
 * <p>Every line has {@code time} (ISO-8601 UTC), {@code timeMillis}, {@code group}, {@code type} and {@code server}
 * (the pid and admin URL of the server that wrote it: several {@code resh serve} of one home share the event log
 * file); events about a replica add {@code replica} and {@code core} (null when not pinned); {@code sequence} is the
 * request or checkpoint sequence number. Faults add {@code idle}, {@code kind} and {@code evidence}; a divergence (and a
 * DMR roll-back) also gets {@code digests} and, for replies, {@code sizes}, {@code firstDifference} and
 * {@code diff}, all taken from the event's structured details. docs/OBSERVABILITY.md lists every type.
 */
final class EventJson {
    private final ObjectMapper json;
    private final ObjectNode server;

    /** @param server what every line names its writer by, {@link #server(ObjectMapper, long, String)}; null for none */
    EventJson(ObjectMapper json, ObjectNode server) {
        this.json = json;
        this.server = server;
    }

    /**
     * The writer of a line, {@code {"pid": 4242, "url": "http://127.0.0.1:40123/"}}: what its record in {@code
     * servers/} names it by. The pid tells apart servers running at once, the URL two of one process (an embedding
     * application), and both together a later server on a port or pid an earlier one had.
     */
    static ObjectNode server(ObjectMapper json, long pid, String url) {
        return json.createObjectNode().put("pid", pid).put("url", url);
    }

    ObjectNode toJson(GroupEvent event) {
        ObjectNode n = json.createObjectNode();
        n.put("time", Instant.ofEpochMilli(event.timeMillis()).toString());
        n.put("timeMillis", event.timeMillis());
        n.put("group", event.group());
        n.put("type", event.type());
        if (server != null) {
            n.set("server", server.deepCopy());
        }
        if (event instanceof GroupEvent.FaultDetected f) {
            replica(n, f.replica(), f.cpu());
            n.put("sequence", f.sequence());
            n.put("idle", f.idle()); // true: the replica held no request, and sequence is the last it answered
            n.put("kind", f.kind().label());
            n.put("evidence", f.evidence());
            details(n, f.details());
        } else if (event instanceof GroupEvent.FaultInjected i) {
            replica(n, i.replica(), i.cpu());
            n.put("sequence", i.sequence());
            n.put("fault", i.fault());
            n.put("detail", i.detail());
        } else if (event instanceof GroupEvent.ReplicaStarted s) {
            replica(n, s.replica(), s.cpu());
            n.put("pid", s.pid());
            n.put("incarnation", s.incarnation());
            n.put("version", s.version());
        } else if (event instanceof GroupEvent.RecoveryStarted r) {
            replica(n, r.replica(), r.cpu());
            n.put("sequence", r.sequence());
            n.put("reason", r.reason());
        } else if (event instanceof GroupEvent.RecoveryCompleted r) {
            replica(n, r.replica(), r.cpu());
            n.put("sequence", r.sequence());
            n.put("durationMillis", r.durationMillis());
            n.put("replayed", r.replayed());
        } else if (event instanceof GroupEvent.CheckpointStable c) {
            n.put("sequence", c.sequence());
            n.put("digest", c.digest() == null ? null : c.digest().hex());
            n.put("snapshotBytes", c.snapshotBytes());
        } else if (event instanceof GroupEvent.RolledBack r) {
            n.put("sequence", r.mismatchAt());
            n.put("checkpoint", r.checkpoint());
            n.put("evidence", r.evidence());
            details(n, r.details());
        } else if (event instanceof GroupEvent.FailStopped s) {
            n.put("sequence", s.sequence());
            n.put("evidence", s.detail());
        } else if (event instanceof GroupEvent.PoisonRequest p) {
            n.put("sequence", p.sequence());
            n.put("replicasKilled", p.replicasKilled());
            n.put("processesKilled", p.processesKilled());
            n.put("evidence", p.evidence());
        } else if (event instanceof GroupEvent.UnreplayableRequest u) {
            n.put("sequence", u.sequence());
            n.put("request", u.request());
            n.put("replacementsFailed", u.replacementsFailed());
            n.put("replicasExecuted", u.replicasExecuted());
            n.put("replicasNotRebuilt", u.replicasNotRebuilt());
            n.put("serving", u.serving());
            n.put("evidence", u.evidence());
        } else {
            supervision(n, event);
        }
        return n;
    }

    /** The supervisor's events: trust in cores, placement, restart intensity, rejuvenation, self-check, redundancy. */
    private static void supervision(ObjectNode n, GroupEvent event) {
        if (event instanceof GroupEvent.CoreSuspected c) {
            n.put("core", c.cpu());
            n.put("reputation", c.reputation());
            n.put("faults", c.faults());
            n.put("evidence", c.evidence());
        } else if (event instanceof GroupEvent.CoreCleared c) {
            n.put("core", c.cpu());
            n.put("reputation", c.reputation());
        } else if (event instanceof GroupEvent.ReplicaMoved m) {
            replica(n, m.replica(), m.toCpu());
            n.put("fromCore", m.fromCpu());
            n.put("toCore", m.toCpu());
            n.put("reason", m.reason());
        } else if (event instanceof GroupEvent.BackedOff b) {
            n.put("replica", b.replica());
            n.put("restarts", b.restarts());
            n.put("windowMillis", b.windowMillis());
            n.put("delayMillis", b.delayMillis());
        } else if (event instanceof GroupEvent.VersionQuarantined q) {
            n.put("version", q.version());
            n.put("restarts", q.restarts());
            n.put("windowMillis", q.windowMillis());
            n.put("untilMillis", q.untilMillis());
            n.put("until", Instant.ofEpochMilli(q.untilMillis()).toString());
            n.put("replacement", q.replacement() == null || q.replacement().isEmpty() ? null : q.replacement());
        } else if (event instanceof GroupEvent.VersionReleased r) {
            n.put("version", r.version());
        } else if (event instanceof GroupEvent.Rejuvenated r) {
            replica(n, r.replica(), r.cpu());
            n.put("sequence", r.sequence());
            n.put("durationMillis", r.durationMillis());
        } else if (event instanceof GroupEvent.SelfRepaired r) {
            n.put("invariant", r.invariant());
            n.put("found", r.found());
            n.put("repair", r.repair());
        } else if (event instanceof GroupEvent.RedundancyChanged r) {
            n.put("from", r.from());
            n.put("to", r.to());
            n.put("reason", r.reason());
        }
    }

    private static void replica(ObjectNode n, int replica, int cpu) {
        n.put("replica", replica);
        if (cpu >= 0) {
            n.put("core", cpu);
        } else {
            n.putNull("core");
        }
    }

    /**
     * Lifts the compared values out of an event's details: {@code digests} and {@code sizes} by name, and
     * where the bytes first differ, as data ({@code firstDifference}) and as one line ({@code diff}).
     */
    private static void details(ObjectNode n, Map<String, String> details) {
        if (details.isEmpty()) {
            return;
        }
        List<String> names = new ArrayList<>();
        ObjectNode other = null;
        for (Map.Entry<String, String> e : details.entrySet()) {
            String key = e.getKey();
            String name = key.contains(".") ? key.substring(0, key.indexOf('.')) : null;
            if (key.endsWith(FaultDetected.DIGEST)) {
                child(n, "digests").put(name, e.getValue());
            } else if (key.endsWith(FaultDetected.STATUS)) {
                child(n, "statuses").put(name, e.getValue());
            } else if (key.endsWith(FaultDetected.BYTES)) {
                child(n, "sizes").put(name, parse(e.getValue()));
            } else if (key.endsWith(FaultDetected.SNIPPET)) {
                child(child(n, "firstDifference"), name).put("hex", e.getValue());
            } else if (key.endsWith(FaultDetected.TEXT)) {
                child(child(n, "firstDifference"), name).put("text", e.getValue());
            } else if (key.equals(FaultDetected.OFFSET)) {
                child(n, "firstDifference").put("offset", parse(e.getValue()));
                name = null;
            } else {
                other = other == null ? n.putObject("details") : other;
                other.put(key, e.getValue());
                name = null;
            }
            if (name != null && !names.contains(name)) {
                names.add(name);
            }
        }
        if (details.containsKey(FaultDetected.OFFSET) && names.size() == 2) {
            n.put("diff", diff(details, names.get(0), names.get(1)));
        }
    }

    /** "first difference at byte 4: 0x41 'A' vs 0x43 'C'", the host's own wording, a differing status first. */
    private static String diff(Map<String, String> d, String expected, String actual) {
        String s = d.getOrDefault(expected + FaultDetected.STATUS, "");
        String t = d.getOrDefault(actual + FaultDetected.STATUS, "");
        return (s.equals(t) ? "" : "status " + s + " vs " + t + "; ") + valueDiff(d, expected, actual);
    }

    private static String valueDiff(Map<String, String> d, String expected, String actual) {
        String a = d.getOrDefault(expected + FaultDetected.SNIPPET, "");
        String b = d.getOrDefault(actual + FaultDetected.SNIPPET, "");
        if (a.isEmpty() && b.isEmpty()
                && d.getOrDefault(expected + FaultDetected.BYTES, "").equals(d.getOrDefault(actual + FaultDetected.BYTES, ""))) {
            // Replies that differ only in their status byte have equal values: no difference in them to point at.
            return "the values are equal";
        }
        if (a.isEmpty() || b.isEmpty()) {
            return "one is a prefix of the other, lengths differ";
        }
        return "first difference at byte " + d.get(FaultDetected.OFFSET) + ": 0x" + a + " '"
                + d.getOrDefault(expected + FaultDetected.TEXT, "") + "' vs 0x" + b + " '"
                + d.getOrDefault(actual + FaultDetected.TEXT, "") + "'";
    }

    private static ObjectNode child(ObjectNode n, String name) {
        return n.has(name) ? (ObjectNode) n.get(name) : n.putObject(name);
    }

    private static long parse(String number) {
        try {
            return Long.parseLong(number);
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}

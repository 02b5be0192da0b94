package io.resh.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.host.GroupStatus;
import io.resh.core.Durations;
import io.resh.host.ReplicaStatus;
import io.resh.host.SupervisionStatus;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The JSON shapes of {@code /api/groups} and {@code /api/series}; docs/OBSERVABILITY.md shows examples. */
final class GroupViews {
    private final ObjectMapper json;

    GroupViews(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode group(GroupWatch w) {
        ObjectNode n = json.createObjectNode();
        n.put("name", w.name());
        GroupStatus s = w.latest();
        n.put("n", w.replicas());
        n.put("f", (w.replicas() - 1) / 2);
        if (s == null) {
            n.put("state", w.unreachable() == null ? "starting" : "unreachable");
            n.put("detail", w.unreachable());
            n.putArray("replicas");
            return n;
        }
        n.put("state", w.unreachable() != null ? "unreachable" : s.failed() != null ? "failed" : "serving");
        n.put("detail", w.unreachable() != null ? w.unreachable() : s.failed());
        n.put("lastSequence", s.lastSequence());
        n.put("pending", s.pending());
        n.put("logLength", s.logLength());
        ObjectNode cp = n.putObject("checkpoint");
        cp.put("sequence", s.stableCheckpoint());
        cp.put("digest", s.stableDigest());
        cp.put("ageSeconds", w.checkpointAgeMillis() / 1000.0);
        ObjectNode counters = n.putObject("counters");
        for (Map.Entry<String, Long> c : s.counters().entrySet()) {
            counters.put(c.getKey(), c.getValue());
        }
        List<Sample> samples = w.samples();
        if (!samples.isEmpty()) {
            n.set("traffic", sample(samples.get(samples.size() - 1)));
        }
        ArrayNode replicas = n.putArray("replicas");
        for (ReplicaStatus r : s.replicaStates()) {
            replicas.add(replica(w, r));
        }
        if (s.supervision() != null) {
            n.set("supervision", supervision(s.supervision()));
        }
        return n;
    }

    private ObjectNode supervision(SupervisionStatus s) {
        ObjectNode n = json.createObjectNode();
        n.put("redundancy", s.redundancy());
        n.put("adaptive", s.redundancy().equals("dmr") || s.redundancy().equals("tmr"));
        Duration period = s.rejuvenationPeriod();
        n.put("rejuvenationPeriod", period.isZero() ? "off" : Durations.format(period));
        n.put("rejuvenationSeconds", period.toMillis() / 1000.0);
        n.put("selfRepairs", s.selfRepairs());
        ArrayNode cores = n.putArray("cores");
        for (SupervisionStatus.Core c : s.cores()) {
            ObjectNode o = cores.addObject();
            o.put("cpu", c.cpu());
            o.put("reputation", c.reputation());
            o.put("faults", c.faults());
            o.put("suspect", c.suspect());
            ArrayNode on = o.putArray("replicas");
            c.replicas().forEach(on::add);
        }
        ArrayNode versions = n.putArray("versions");
        for (SupervisionStatus.Version v : s.versions()) {
            ObjectNode o = versions.addObject();
            o.put("label", v.label());
            o.put("reputation", v.reputation());
            o.put("faults", v.faults());
            o.put("recentRestarts", v.recentRestarts());
            o.put("quarantined", v.quarantined());
            ArrayNode on = o.putArray("replicas");
            v.replicas().forEach(on::add);
        }
        return n;
    }

    private ObjectNode replica(GroupWatch w, ReplicaStatus r) {
        ObjectNode n = json.createObjectNode();
        n.put("index", r.index());
        n.put("state", r.state().label());
        n.put("pid", r.pid());
        if (r.cpu() >= 0) {
            n.put("core", r.cpu());
        } else {
            n.putNull("core");
        }
        n.put("incarnation", r.incarnation());
        n.put("version", r.version());
        n.put("repliedThrough", r.repliedThrough());
        n.put("reputation", r.reputation());
        n.put("faults", r.faults());
        n.put("lastFault", r.lastFault());
        long at = w.lastFaultMillis(r.index());
        if (at > 0) {
            n.put("lastFaultMillis", at);
        } else {
            n.putNull("lastFaultMillis");
        }
        n.put("digestSequence", r.digestSequence());
        n.put("digest", r.digest());
        return n;
    }

    ObjectNode sample(Sample s) {
        ObjectNode n = json.createObjectNode();
        n.put("timeMillis", s.timeMillis());
        n.put("group", s.group());
        n.put("repliesPerSecond", Math.round(s.repliesPerSecond() * 10) / 10.0);
        n.put("metered", s.metered());
        n.put("p50Micros", s.p50Micros());
        n.put("p99Micros", s.p99Micros());
        n.put("maxMicros", s.maxMicros());
        return n;
    }

    ArrayNode samples(List<Sample> samples) {
        ArrayNode a = json.createArrayNode();
        samples.forEach(s -> a.add(sample(s)));
        return a;
    }
}

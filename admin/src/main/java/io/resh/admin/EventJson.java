package io.resh.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One group event as one flat JSON object: the event log's line format and the stream's payload.
 *
 * <p>Every line has {@code time} (ISO-8601 UTC), {@code timeMillis}, {@code group} and {@code type}; events
 * about a replica add {@code replica} and {@code core} (null when not pinned); {@code sequence} is the
 * request or checkpoint sequence number. Faults add {@code kind} and {@code evidence}; a divergence also
 * gets {@code digests} (voted and replica, short hex), {@code sizes} and {@code diff}, taken from the
 * evidence the host wrote.
 */
final class EventJson {
    /** Matches the host's reply evidence: "voted 3fa2c1d0e9b8 (17 B) vs replica 9b01de45aa10 (17 B); first ...". */
    private static final Pattern REPLY_DIFF =
            Pattern.compile("voted (\\p{XDigit}+) \\((\\d+) B\\) vs replica (\\p{XDigit}+) \\((\\d+) B\\); (.*)");
    /** Matches "state digest at checkpoint #N is X, the stable one is Y". */
    private static final Pattern STATE_DIFF =
            Pattern.compile("state digest at checkpoint #\\d+ is (\\p{XDigit}+), the stable one is (\\p{XDigit}+)");

    private final ObjectMapper json;

    EventJson(ObjectMapper json) {
        this.json = json;
    }

    ObjectNode toJson(GroupEvent event) {
        ObjectNode n = json.createObjectNode();
        n.put("time", Instant.ofEpochMilli(event.timeMillis()).toString());
        n.put("timeMillis", event.timeMillis());
        n.put("group", event.group());
        n.put("type", event.type());
        if (event instanceof GroupEvent.FaultDetected f) {
            replica(n, f.replica(), f.cpu());
            n.put("sequence", f.sequence());
            n.put("kind", f.kind().label());
            n.put("evidence", f.evidence());
            if (f.kind() == FaultKind.DIVERGENCE || f.kind() == FaultKind.STATE_DIVERGENCE) {
                addDiff(n, f.evidence());
            }
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
            addDiff(n, r.evidence());
        } else if (event instanceof GroupEvent.FailStopped s) {
            n.put("sequence", s.sequence());
            n.put("evidence", s.detail());
        }
        return n;
    }

    private static void replica(ObjectNode n, int replica, int cpu) {
        n.put("replica", replica);
        if (cpu >= 0) {
            n.put("core", cpu);
        } else {
            n.putNull("core");
        }
    }

    /** Best effort: the host states digests and the first differing bytes in prose; lift them into fields. */
    private static void addDiff(ObjectNode n, String evidence) {
        Matcher m = REPLY_DIFF.matcher(evidence);
        if (m.find()) {
            ObjectNode d = n.putObject("digests");
            d.put("voted", m.group(1));
            d.put("replica", m.group(3));
            ObjectNode s = n.putObject("sizes");
            s.put("voted", Long.parseLong(m.group(2)));
            s.put("replica", Long.parseLong(m.group(4)));
            n.put("diff", m.group(5));
            return;
        }
        m = STATE_DIFF.matcher(evidence);
        if (m.find()) {
            ObjectNode d = n.putObject("digests");
            d.put("stable", m.group(2));
            d.put("replica", m.group(1));
        }
    }
}

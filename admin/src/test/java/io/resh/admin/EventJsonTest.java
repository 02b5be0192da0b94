package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import java.lang.reflect.Constructor;
import java.lang.reflect.RecordComponent;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private static final String VOTED = "3fa2c1d0e9b8" + "0".repeat(52);
    private static final String BAD = "9b01de45aa10" + "1".repeat(52);

    private final EventJson format = new EventJson(new ObjectMapper(), null);

    @Test
    void shouldWriteACrashWithEveryFieldTheLogPromises() {
        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1_700_000_000_123L, "kv", 2, 3, 41,
                FaultKind.CRASH, "process exited with status 137"));

        assertThat(n.get("time").asText()).isEqualTo("2023-11-14T22:13:20.123Z");
        assertThat(n.get("timeMillis").asLong()).isEqualTo(1_700_000_000_123L);
        assertThat(n.get("group").asText()).isEqualTo("kv");
        assertThat(n.get("type").asText()).isEqualTo("fault");
        assertThat(n.get("replica").asInt()).isEqualTo(2);
        assertThat(n.get("core").asInt()).isEqualTo(3);
        assertThat(n.get("sequence").asLong()).isEqualTo(41);
        assertThat(n.get("idle").asBoolean(true)).isFalse();
        assertThat(n.get("kind").asText()).isEqualTo("crash");
        assertThat(n.get("evidence").asText()).isEqualTo("process exited with status 137");
        assertThat(n.has("digests")).isFalse();
        assertThat(n.has("details")).isFalse();
    }

    /** A crash of a replica that held no request names the last request it answered, and says it was idle. */
    @Test
    void shouldMarkAFaultOfAnIdleReplica() {
        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 2, -1, 40, FaultKind.CRASH,
                "process exited with code 137 (signal 9)", Map.of(), true));

        assertThat(n.get("sequence").asLong()).isEqualTo(40);
        assertThat(n.get("idle").asBoolean()).isTrue();
    }

    @Test
    void shouldTakeDigestsSizesAndTheFirstDifferenceFromTheDetailsNotTheProse() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("voted.digest", VOTED);
        details.put("voted.bytes", "17");
        details.put("voted.snippet", "41");
        details.put("voted.text", "A");
        details.put("replica.digest", BAD);
        details.put("replica.bytes", "18");
        details.put("replica.snippet", "43");
        details.put("replica.text", "C");
        details.put("offset", "4");
        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 0, -1, 7, FaultKind.DIVERGENCE,
                "prose that no longer needs parsing", details));

        assertThat(n.get("core").isNull()).isTrue();
        assertThat(n.at("/digests/voted").asText()).isEqualTo(VOTED);
        assertThat(n.at("/digests/replica").asText()).isEqualTo(BAD);
        assertThat(n.at("/sizes/voted").asLong()).isEqualTo(17);
        assertThat(n.at("/sizes/replica").asLong()).isEqualTo(18);
        assertThat(n.at("/firstDifference/offset").asLong()).isEqualTo(4);
        assertThat(n.at("/firstDifference/replica/hex").asText()).isEqualTo("43");
        assertThat(n.at("/firstDifference/voted/text").asText()).isEqualTo("A");
        assertThat(n.get("diff").asText()).isEqualTo("first difference at byte 4: 0x41 'A' vs 0x43 'C'");
        assertThat(n.get("evidence").asText()).isEqualTo("prose that no longer needs parsing");
        assertThat(n.has("details")).as("every key was understood").isFalse();
    }

    /** The details of a voted reply and a replica's, as the host writes them, without their text snippets. */
    private static Map<String, String> replies(String votedDigest, int votedBytes, String votedSnippet,
                                               String replicaDigest, int replicaBytes, String replicaSnippet, int offset) {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("voted.digest", votedDigest);
        details.put("voted.bytes", Integer.toString(votedBytes));
        details.put("voted.snippet", votedSnippet);
        details.put("replica.digest", replicaDigest);
        details.put("replica.bytes", Integer.toString(replicaBytes));
        details.put("replica.snippet", replicaSnippet);
        details.put("offset", Integer.toString(offset));
        return details;
    }

    @Test
    void shouldSayWhenOneReplyIsAPrefixOfTheOther() {
        Map<String, String> details = replies(VOTED, 3, "", BAD, 5, "0a0b", 3);

        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 0, -1, 7, FaultKind.DIVERGENCE, "", details));

        assertThat(n.get("diff").asText()).isEqualTo("one is a prefix of the other, lengths differ");
    }

    /** Replies that differ only in the status byte have equal values: "lengths differ" was said of two 0-byte ones. */
    @Test
    void shouldSayThatTheValuesAreEqualWhenOnlyTheStatusDiffers() {
        Map<String, String> details = replies(VOTED, 0, "", VOTED, 0, "", 0);

        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 0, -1, 7, FaultKind.DIVERGENCE, "", details));

        assertThat(n.get("diff").asText()).isEqualTo("the values are equal");
    }

    /** The JSON said "the values are equal" of an ok reply and a service error: the status was only in the prose. */
    @Test
    void shouldPutADifferingStatusInTheDiffAndTheStatuses() {
        Map<String, String> details = replies(VOTED, 1, "", VOTED, 1, "", 1);
        details.put("voted.status", "ok");
        details.put("replica.status", "service error");

        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 0, -1, 7, FaultKind.DIVERGENCE, "", details));

        assertThat(n.get("diff").asText()).isEqualTo("status ok vs service error; the values are equal");
        assertThat(n.at("/statuses/voted").asText()).isEqualTo("ok");
        assertThat(n.at("/statuses/replica").asText()).isEqualTo("service error");
        assertThat(n.has("details")).as("no key left over").isFalse();
    }

    @Test
    void shouldNameTheStableAndTheReplicaDigestOfAStateDivergence() {
        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 1, 0, 100, FaultKind.STATE_DIVERGENCE,
                "state digest at checkpoint #100 is 9b01de45aa10, the stable one is 3fa2c1d0e9b8: latent state corruption",
                Map.of("stable.digest", VOTED, "replica.digest", BAD)));

        assertThat(n.at("/digests/replica").asText()).isEqualTo(BAD);
        assertThat(n.at("/digests/stable").asText()).isEqualTo(VOTED);
        assertThat(n.has("diff")).isFalse();
    }

    @Test
    void shouldNameBothReplicasOfADmrRollBackAndKeepUnknownDetails() {
        Map<String, String> details = new LinkedHashMap<>();
        details.put("replica0.digest", VOTED);
        details.put("replica1.digest", BAD);
        details.put("note", "kept as is");
        ObjectNode n = format.toJson(new GroupEvent.RolledBack(1L, "kv", 200, 231, "replies to #231 differ", details));

        assertThat(n.get("type").asText()).isEqualTo("rollback");
        assertThat(n.get("checkpoint").asLong()).isEqualTo(200);
        assertThat(n.get("sequence").asLong()).isEqualTo(231);
        assertThat(n.at("/digests/replica0").asText()).isEqualTo(VOTED);
        assertThat(n.at("/digests/replica1").asText()).isEqualTo(BAD);
        assertThat(n.at("/details/note").asText()).isEqualTo("kept as is");
    }

    @Test
    void shouldWriteRecoveriesAndCheckpointsWithTheirOwnFields() {
        ObjectNode r = format.toJson(new GroupEvent.RecoveryCompleted(5L, "kv", 1, -1, 900, 412, 33));
        Digest d = Digest.of("state".getBytes(StandardCharsets.UTF_8));
        ObjectNode c = format.toJson(new GroupEvent.CheckpointStable(6L, "kv", 1000, d, 4096));

        assertThat(r.get("type").asText()).isEqualTo("recovered");
        assertThat(r.get("durationMillis").asLong()).isEqualTo(412);
        assertThat(r.get("replayed").asLong()).isEqualTo(33);
        assertThat(c.get("digest").asText()).isEqualTo(d.hex());
        assertThat(c.get("snapshotBytes").asLong()).isEqualTo(4096);
        assertThat(c.has("replica")).isFalse();
    }

    @Test
    void shouldWriteTheSupervisorsEventsWithTheirOwnFields() {
        ObjectNode suspect = format.toJson(new GroupEvent.CoreSuspected(1L, "kv", 1, 0.2, 4, "replicas 0, 2"));
        ObjectNode cleared = format.toJson(new GroupEvent.CoreCleared(1L, "kv", 1, 0.61));
        ObjectNode moved = format.toJson(new GroupEvent.ReplicaMoved(1L, "kv", 2, 1, 0, "core 1 is suspect"));
        ObjectNode backedOff = format.toJson(new GroupEvent.BackedOff(1L, "kv", 2, 6, 60_000, 4_000));
        ObjectNode quarantined = format.toJson(new GroupEvent.VersionQuarantined(1L, "kv", "bc-light", 9, 60_000,
                1_700_000_000_000L, ""));
        ObjectNode released = format.toJson(new GroupEvent.VersionReleased(1L, "kv", "bc-light"));
        ObjectNode rejuvenated = format.toJson(new GroupEvent.Rejuvenated(1L, "kv", 0, -1, 5000, 350));
        ObjectNode repaired = format.toJson(new GroupEvent.SelfRepaired(1L, "kv", "log-contiguous", "gap at #12", "slot 1 restarted"));
        ObjectNode redundancy = format.toJson(new GroupEvent.RedundancyChanged(1L, "kv", "dmr", "tmr", "divergence at #40"));

        assertThat(suspect.get("type").asText()).isEqualTo("core-suspected");
        assertThat(suspect.get("core").asInt()).isEqualTo(1);
        assertThat(suspect.get("reputation").asDouble()).isEqualTo(0.2);
        assertThat(suspect.get("faults").asLong()).isEqualTo(4);
        assertThat(suspect.get("evidence").asText()).isEqualTo("replicas 0, 2");
        assertThat(cleared.get("reputation").asDouble()).isEqualTo(0.61);
        assertThat(moved.get("replica").asInt()).isEqualTo(2);
        assertThat(moved.get("core").asInt()).as("where it runs now").isEqualTo(0);
        assertThat(moved.get("fromCore").asInt()).isEqualTo(1);
        assertThat(moved.get("reason").asText()).isEqualTo("core 1 is suspect");
        assertThat(backedOff.get("replica").asInt()).isEqualTo(2);
        assertThat(backedOff.get("restarts").asInt()).isEqualTo(6);
        assertThat(backedOff.get("delayMillis").asLong()).isEqualTo(4_000);
        assertThat(quarantined.get("version").asText()).isEqualTo("bc-light");
        assertThat(quarantined.get("until").asText()).isEqualTo("2023-11-14T22:13:20Z");
        assertThat(quarantined.get("replacement").isNull()).as("no stand-in version").isTrue();
        assertThat(released.get("version").asText()).isEqualTo("bc-light");
        assertThat(rejuvenated.get("replica").asInt()).isZero();
        assertThat(rejuvenated.get("durationMillis").asLong()).isEqualTo(350);
        assertThat(repaired.get("invariant").asText()).isEqualTo("log-contiguous");
        assertThat(repaired.get("found").asText()).isEqualTo("gap at #12");
        assertThat(repaired.get("repair").asText()).isEqualTo("slot 1 restarted");
        assertThat(redundancy.get("from").asText()).isEqualTo("dmr");
        assertThat(redundancy.get("to").asText()).isEqualTo("tmr");
    }

    /** A gateway's request that kills every server replaying it but is kept: what an alert needs, as fields. */
    @Test
    void shouldWriteAnUnreplayableRequestWithWhatTheGatewayDoesNow() {
        String report = "request #3 (EXIT) kills every server that replays it, though replicas answered it when it ran: ..."
                + " fix what makes the server fail on it, and the next replacement to replay it rejoins";
        ObjectNode n = format.toJson(new GroupEvent.UnreplayableRequest(1_700_000_000_123L, "redis", 3, "request #3 (EXIT)",
                4, 1, 2, false, report));

        assertThat(n.get("type").asText()).isEqualTo("unreplayable-request");
        assertThat(n.get("group").asText()).isEqualTo("redis");
        assertThat(n.get("sequence").asLong()).isEqualTo(3);
        assertThat(n.get("request").asText()).isEqualTo("request #3 (EXIT)");
        assertThat(n.get("replacementsFailed").asInt()).isEqualTo(4);
        assertThat(n.get("replicasExecuted").asInt()).isEqualTo(1);
        assertThat(n.get("replicasNotRebuilt").asInt()).isEqualTo(2);
        assertThat(n.get("serving").isBoolean()).isTrue();
        assertThat(n.get("serving").asBoolean(true)).as("1 replica cannot agree with itself").isFalse();
        assertThat(n.get("evidence").asText()).isEqualTo(report);
        assertThat(n.has("replica")).as("about the group, not one replica").isFalse();
        assertThat(n.toString()).isEqualTo("{\"time\":\"2023-11-14T22:13:20.123Z\",\"timeMillis\":1700000000123,"
                + "\"group\":\"redis\",\"type\":\"unreplayable-request\",\"sequence\":3,\"request\":\"request #3 (EXIT)\","
                + "\"replacementsFailed\":4,\"replicasExecuted\":1,\"replicasNotRebuilt\":2,\"serving\":false,"
                + "\"evidence\":\"" + report + "\"}");
    }

    /** A new event type added to the host must not reach the log as a bare type name. */
    @Test
    void shouldWriteAFieldForEveryComponentOfEveryEventType() throws Exception {
        for (Class<?> type : GroupEvent.class.getPermittedSubclasses()) {
            RecordComponent[] components = type.getRecordComponents();
            Class<?>[] types = new Class<?>[components.length];
            Object[] values = new Object[components.length];
            for (int i = 0; i < components.length; i++) {
                types[i] = components[i].getType();
                values[i] = sample(types[i]);
            }
            Constructor<?> canonical = type.getDeclaredConstructor(types);
            ObjectNode n = format.toJson((GroupEvent) canonical.newInstance(values));

            // timeMillis and group are among the four common fields; details become digests and friends.
            long own = java.util.Arrays.stream(components).filter(c -> !c.getName().equals("timeMillis")
                    && !c.getName().equals("group") && !c.getName().equals("details")).count();
            assertThat(n.size()).as("%s: %s", type.getSimpleName(), n).isGreaterThanOrEqualTo(4 + (int) own);
        }
    }

    private static Object sample(Class<?> type) {
        if (type == long.class) {
            return 7L;
        }
        if (type == int.class) {
            return 3;
        }
        if (type == double.class) {
            return 0.5;
        }
        if (type == String.class) {
            return "x";
        }
        if (type == boolean.class) {
            return true;
        }
        if (type == FaultKind.class) {
            return FaultKind.DIVERGENCE;
        }
        if (type == Digest.class) {
            return Digest.of(new byte[] {1});
        }
        if (type == Map.class) {
            return Map.of();
        }
        throw new AssertionError("no sample value for " + type);
    }
}

package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.resh.core.Digest;
import io.resh.core.FaultKind;
import io.resh.core.GroupEvent;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private final EventJson format = new EventJson(new ObjectMapper());

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
        assertThat(n.get("kind").asText()).isEqualTo("crash");
        assertThat(n.get("evidence").asText()).isEqualTo("process exited with status 137");
    }

    @Test
    void shouldLiftDigestsAndTheDiffOutOfADivergence() {
        String evidence = "reply to #7 differs: voted 3fa2c1d0e9b8 (17 B) vs replica 9b01de45aa10 (17 B); "
                + "first difference at byte 4: 0x41 'A' vs 0x43 'C'";
        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 0, -1, 7, FaultKind.DIVERGENCE, evidence));

        assertThat(n.get("core").isNull()).isTrue();
        assertThat(n.at("/digests/voted").asText()).isEqualTo("3fa2c1d0e9b8");
        assertThat(n.at("/digests/replica").asText()).isEqualTo("9b01de45aa10");
        assertThat(n.at("/sizes/replica").asLong()).isEqualTo(17);
        assertThat(n.get("diff").asText()).isEqualTo("first difference at byte 4: 0x41 'A' vs 0x43 'C'");
        assertThat(n.get("evidence").asText()).isEqualTo(evidence);
    }

    @Test
    void shouldLiftBothDigestsOutOfAStateDivergence() {
        ObjectNode n = format.toJson(new GroupEvent.FaultDetected(1L, "kv", 1, 0, 100, FaultKind.STATE_DIVERGENCE,
                "state digest at checkpoint #100 is aaaaaaaaaaaa, the stable one is bbbbbbbbbbbb: latent state corruption"));

        assertThat(n.at("/digests/replica").asText()).isEqualTo("aaaaaaaaaaaa");
        assertThat(n.at("/digests/stable").asText()).isEqualTo("bbbbbbbbbbbb");
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
}

package io.resh.admin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

import io.resh.host.ReplicaGroup;
import io.resh.host.testing.ReplicaLogsOnFailure;
import io.resh.host.testing.TestGroups;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/** The admin API's actions on a group that failed stop, whose replicas have all been stopped. */
@Tag("e2e")
class AdminFailedGroupTest {
    @RegisterExtension
    final ReplicaLogsOnFailure logs = new ReplicaLogsOnFailure();

    /**
     * A checkpoint (or a rejuvenation period) asked of a group that failed stop answered 202 "requested … watch for a checkpoint event", and no
     * such event ever came: no replica runs to report a digest. A restart was already refused there.
     */
    @Test
    void shouldRefuseACheckpointOfAGroupThatFailedStop(@TempDir(cleanup = CleanupMode.ON_SUCCESS) Path dir) {
        try (ReplicaGroup group = ReplicaGroup.start(TestGroups.counter("stopped", 3, dir).build());
             AdminServer admin = AdminServer.start(AdminConfig.defaults().withDirectory(dir), List.of(group))) {
            // Every replica answers with its own clock: no two replies agree, and the group fails stop.
            catchThrowable(() -> group.submit("clock".getBytes(StandardCharsets.UTF_8)).get(20, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(10)).until(() -> group.status().failed() != null);
            AdminCalls calls = new AdminCalls(admin);

            HttpResponse<String> checkpoint = calls.send("POST", "/api/groups/stopped/checkpoint", null);
            HttpResponse<String> restart = calls.send("POST", "/api/groups/stopped/replicas/1/restart", null);
            HttpResponse<String> rejuvenation = calls.send("PUT", "/api/groups/stopped/rejuvenation", "{\"period\":\"10m\"}");

            assertThat(checkpoint.statusCode()).as(checkpoint.body()).isEqualTo(409);
            assertThat(AdminCalls.parse(checkpoint.body()).get("error").asText())
                    .startsWith("cannot checkpoint group stopped: it failed stop, no replica runs (fail-stop at request #1:");
            assertThat(restart.statusCode()).as(restart.body()).isEqualTo(409);
            assertThat(rejuvenation.statusCode()).as(rejuvenation.body()).isEqualTo(409);
            assertThat(AdminCalls.parse(rejuvenation.body()).get("error").asText()).startsWith(
                    "cannot set the rejuvenation period of group stopped: it failed stop, no replica runs (fail-stop at");
        }
    }
}

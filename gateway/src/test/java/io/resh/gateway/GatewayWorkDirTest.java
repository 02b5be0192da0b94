package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.resh.core.GroupEvent;
import io.resh.gateway.server.Directories;
import io.resh.gateway.testing.RespClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** A gateway's own temporary work directory goes when it stops cleanly and stays, logs and all, after a fault. */
@Tag("e2e")
class GatewayWorkDirTest {
    private static final String CONFIG = """
            group: temp
            replicas: 3
            server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no' }
            listen: { protocol: resp }
            """;
    private Gateway gateway;
    private Path kept;

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        if (kept != null) {
            Directories.delete(kept);
        }
    }

    private void set() throws Exception {
        try (RespClient c = new RespClient(gateway.port())) {
            assertThat(RespClient.text(c.call("SET", "k", "v"))).isEqualTo("OK");
        }
    }

    @Test
    void shouldDeleteItsTemporaryWorkDirectoryWhenItStopsWithoutAFault() throws Exception {
        gateway = Gateway.start(GatewayConfig.parse(CONFIG, "t.yaml"));
        Path dir = gateway.workDir();
        set();
        assertThat(dir).isDirectory();

        gateway.close();

        assertThat(dir).doesNotExist();
    }

    @Test
    void shouldKeepItsTemporaryWorkDirectoryAfterAFault() throws Exception {
        gateway = Gateway.start(GatewayConfig.parse(CONFIG, "t.yaml"));
        List<GroupEvent> events = new CopyOnWriteArrayList<>();
        gateway.addListener(events::add);
        kept = gateway.workDir();
        set();
        long victim = gateway.status().replicas().get(0).pid();
        ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // kill -9
        await().atMost(Duration.ofSeconds(20)).until(() -> events.stream()
                .anyMatch(e -> e instanceof GroupEvent.RecoveryCompleted r && r.replica() == 0));

        gateway.close();

        assertThat(kept.resolve("logs").resolve("replica-0.log")).isNotEmptyFile();
    }
}

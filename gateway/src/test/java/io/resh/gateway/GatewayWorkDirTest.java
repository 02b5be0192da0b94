package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.resh.core.ConfigException;
import io.resh.core.GroupEvent;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.RespClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A gateway's own temporary work directory goes when it stops cleanly and stays, logs and all, after a fault. */
@Tag("e2e")
class GatewayWorkDirTest {
    private static final String CONFIG = """
            group: temp
            replicas: 3
            server: { command: 'redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no' }
            listen: { protocol: resp }
            """;

    @RegisterExtension
    final GatewayExtension redis = new GatewayExtension();

    private void set() throws Exception {
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(RespClient.text(c.call("SET", "k", "v"))).isEqualTo("OK");
        }
    }

    /** A configured workDir that cannot be created said "cannot create the work directory: PATH", no field, no reason. */
    @Test
    void shouldNameTheWorkDirFieldWhenItCannotBeCreated(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("afile"), "not a directory");
        Path workDir = file.resolve("data");

        assertThatThrownBy(() -> Gateway.start(GatewayConfig.parse(CONFIG, "t.yaml").withWorkDir(workDir)))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("workDir: cannot create " + workDir)
                .hasMessageEndingWith("; name a directory resh can create, or leave workDir out for a temporary one");
    }

    /** Checkpoints an earlier run stored in a configured workDir were never used again, nor ever deleted. */
    @Test
    void shouldDeleteTheCheckpointsAnEarlierRunLeftInItsWorkDir(@TempDir Path dir) throws Exception {
        Path left = Files.createDirectories(dir.resolve("work").resolve("checkpoints").resolve("500"));
        Files.writeString(left.resolve("dump.rdb"), "an earlier run's saved state");

        redis.start(GatewayConfig.parse(CONFIG, "t.yaml").withWorkDir(dir.resolve("work")));
        set();

        assertThat(dir.resolve("work").resolve("checkpoints")).doesNotExist();
        assertThat(dir.resolve("work").resolve("logs")).isDirectory();
    }

    @Test
    void shouldDeleteItsTemporaryWorkDirectoryWhenItStopsWithoutAFault() throws Exception {
        Gateway gateway = redis.start(GatewayConfig.parse(CONFIG, "t.yaml"));
        Path dir = gateway.workDir();
        set();
        assertThat(dir).isDirectory();

        gateway.close();

        assertThat(dir).doesNotExist();
    }

    @Test
    void shouldKeepItsTemporaryWorkDirectoryAfterAFault() throws Exception {
        Gateway gateway = redis.start(GatewayConfig.parse(CONFIG, "t.yaml"));
        Path kept = gateway.workDir();
        set();
        long victim = redis.pid(0);
        ProcessHandle.of(victim).orElseThrow().destroyForcibly(); // kill -9
        redis.awaitEvent(GroupEvent.RecoveryCompleted.class, r -> r.replica() == 0);

        gateway.close();

        assertThat(kept.resolve("logs").resolve("replica-0.log")).isNotEmptyFile();
    }
}

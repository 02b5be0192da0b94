package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.core.GroupEvent;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.RespClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Real redis-servers under bubblewrap, each pinned to its own core, behind the gateway. */
@Tag("e2e")
class ServerIsolationTest {
    static final String CONFIG = """
            group: isolated
            replicas: 3
            server:
              command: redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no --dir {dir}
              ready: tcp
              sandbox: bwrap
              pin: true
            listen: { port: 0, protocol: resp, mode: ordered }
            deadline: 2s
            """;

    @RegisterExtension
    final GatewayExtension redis = new GatewayExtension();

    @BeforeEach
    void start() {
        redis.start(CONFIG);
    }

    /**
     * The redis-server process itself: under bwrap it is a descendant of the process the gateway started
     * (bwrap forks its own child first). Not found by name: Debian's redis-server is a link to another binary.
     */
    private long server(int replica) {
        return ProcessHandle.of(redis.pid(replica)).orElseThrow().descendants()
                .filter(h -> !h.info().command().orElse("bwrap").endsWith("bwrap")).findFirst()
                .orElseThrow(() -> new AssertionError("no redis-server under replica " + replica + "'s process"))
                .pid();
    }

    private static String statusLine(long pid, String key) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/status")).stream().filter(l -> l.startsWith(key + ":"))
                .findFirst().orElseThrow().substring(key.length() + 1).trim();
    }

    private static String rootMountOptions(long pid) throws IOException {
        return Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo")).stream().map(l -> l.split(" "))
                .filter(f -> f[4].equals("/")).findFirst().orElseThrow()[5];
    }

    private void expectIsolated(int replica) throws IOException {
        long pid = server(replica);
        List<Integer> allowed = io.resh.core.CpuList.parse(statusLine(ProcessHandle.current().pid(), "Cpus_allowed_list"));
        assertThat(statusLine(pid, "NSpid").split("\\s+")).as("replica %d in a PID namespace of its own", replica)
                .hasSize(2);
        assertThat(statusLine(pid, "Cpus_allowed_list")).as("replica %d pinned", replica)
                .isEqualTo(Integer.toString(allowed.get(replica % allowed.size())));
        assertThat(rootMountOptions(pid)).as("replica %d sees a read-only root", replica).startsWith("ro");
    }

    @Test
    void shouldServeFromSandboxedPinnedServersAndIsolateTheirReplacements() throws Exception {
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(RespClient.text(c.call("SET", "k", "v"))).isEqualTo("OK");
            assertThat(RespClient.text(c.call("GET", "k"))).isEqualTo("v");
        }
        for (int i = 0; i < 3; i++) {
            expectIsolated(i);
        }

        ProcessHandle.of(server(1)).orElseThrow().destroyForcibly(); // kill -9 the server inside the sandbox
        redis.awaitRecovered(1);

        expectIsolated(1);
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(RespClient.text(c.call("GET", "k"))).isEqualTo("v");
        }
        redis.awaitQuiet();
        try (RespClient direct = new RespClient(redis.replicaPort(1))) {
            assertThat(RespClient.text(direct.call("GET", "k"))).as("the replacement was rebuilt by replay").isEqualTo("v");
        }
        List<GroupEvent.ReplicaStarted> starts = redis.events(GroupEvent.ReplicaStarted.class);
        List<Integer> allowed = io.resh.core.CpuList.parse(statusLine(ProcessHandle.current().pid(), "Cpus_allowed_list"));
        assertThat(starts).allSatisfy(s -> assertThat(s.cpu()).isEqualTo(allowed.get(s.replica() % allowed.size())));
        assertThat(redis.status().replicas()).as("the status names each server's core")
                .allSatisfy(r -> assertThat(r.core()).isEqualTo(allowed.get(r.replica() % allowed.size())));
    }
}

package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.resh.core.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayConfigTest {
    private static final String MINIMAL = """
            server: { command: "srv --port {port}" }
            listen: { protocol: line }
            """;

    @Test
    void shouldLoadTheRedisExample() throws Exception {
        Path example = Path.of("..", "examples", "redis.yaml");
        GatewayConfig c = GatewayConfig.load(example);
        assertThat(c.group()).isEqualTo("redis");
        assertThat(c.replicas()).isEqualTo(3);
        assertThat(c.server().commandFor(2)).containsExactly("redis-server", "--port", "{port}", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--enable-debug-command", "local");
        assertThat(c.checkpoint()).isEqualTo(new GatewayConfig.Checkpoint(500_000, "SAVE", "DEBUG DIGEST", List.of("dump.rdb")));
        assertThat(c.server().ready()).isEqualTo(GatewayConfig.Ready.TCP);
        assertThat(c.listen()).isEqualTo(new GatewayConfig.Listen("127.0.0.1", 6380, "resp", GatewayConfig.Mode.ORDERED));
        assertThat(GatewayConfig.isGatewayConfig(new YAMLMapper().readTree(Files.readString(example)))).isTrue();
    }

    @Test
    void shouldApplyDefaults() {
        GatewayConfig c = GatewayConfig.parse(MINIMAL, "t.yaml");
        assertThat(c.replicas()).isEqualTo(3);
        assertThat(c.deadline()).isEqualTo(Duration.ofSeconds(2));
        assertThat(c.listen().host()).isEqualTo("127.0.0.1");
        assertThat(c.listen().port()).isZero();
        assertThat(c.recovery()).isEqualTo(GatewayConfig.Recovery.REPLAY);
        assertThat(c.maxFrameBytes()).isEqualTo(1 << 20);
        assertThat(c.workDir()).isNull();
        assertThat(c.server().sandbox()).isEqualTo(io.resh.core.config.Sandbox.NONE);
        assertThat(c.server().pin()).isFalse();
    }

    @Test
    void shouldParseEveryField() {
        GatewayConfig c = GatewayConfig.parse("""
                group: kv-1
                replicas: 5
                server:
                  command: ["a --port {port}", "b --port {port}", "c {port}", "d {port}", "e {port}"]
                  ready: none
                  readyTimeout: 3s
                  sandbox: bwrap
                  pin: true
                listen: { host: 0.0.0.0, port: 7000, protocol: http, mode: ordered }
                deadline: 250ms
                maxFrameBytes: 64KiB
                maxReplyBytes: 2MiB
                maxClients: 10
                maxInFlight: 20
                frameTimeout: 1m
                replayLogLimit: 1GiB
                replayLogEntries: 500
                recovery: restart
                canonicalize:
                  - { regex: "ts=\\\\d+", replace: "ts=*" }
                workDir: data
                """, "t.yaml");
        assertThat(c.server().commandFor(4)).containsExactly("e", "{port}");
        assertThat(c.server().sandbox()).isEqualTo(io.resh.core.config.Sandbox.BWRAP);
        assertThat(c.server().pin()).isTrue();
        assertThat(c.maxFrameBytes()).isEqualTo(65536);
        assertThat(c.maxReplyBytes()).isEqualTo(2 << 20);
        assertThat(c.replayLogLimit()).isEqualTo(1L << 30);
        assertThat(c.frameTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(c.canonicalize().get(0).regex().matcher("x ts=123").replaceAll(c.canonicalize().get(0).replace())).isEqualTo("x ts=*");
        assertThat(c.workDir()).isAbsolute();
        assertThat(c.workDir().getFileName().toString()).isEqualTo("data");
    }

    @Test
    void shouldNameTheFieldInEveryError() {
        assertError("server: { command: 'x {port}' }\nlisten: { mode: foo }", "listen.mode",
                "listen.mode: expected ordered, stream or udp, got 'foo'");
        assertError(MINIMAL + "colour: blue\n", "colour", "colour: unknown field; expected group, replicas");
        assertError("server: { command: 'x {port}', readiness: tcp }\nlisten: { protocol: resp }", "server.readiness", "unknown field");
        assertError("listen: { protocol: resp }", "server", "server: is required");
        assertError("server: { command: 'redis-server --port 6379' }\nlisten: { protocol: resp }", "server.command", "must contain {port}");
        assertError("server: { command: \"x {port} 'open\" }\nlisten: { protocol: resp }", "server.command", "unterminated ' quote");
        assertError("server: { command: ['a {port}', 'b {port}'] }\nlisten: { protocol: resp }", "server.command", "one per replica (3), got 2");
        assertError(MINIMAL + "group: ..\n", "group", "starts with a letter or digit, got '..'");
        assertError(MINIMAL + "group: -v\n", "group", "starts with a letter or digit, got '-v'");
        assertError(MINIMAL + "deadline: soon\n", "deadline", "expected a duration like 250ms");
        assertError(MINIMAL + "replicas: 0\n", "replicas", "between 1 and 31");
        assertError(MINIMAL + "replicas: 99999999999999999999\n", "replicas",
                "replicas: must be between 1 and 31, got 99999999999999999999");
        assertError(MINIMAL + "maxClients: 4294967297\n", "maxClients", "must be between 1 and 1000000, got 4294967297");
        assertError(MINIMAL + "maxFrameBytes: lots\n", "maxFrameBytes", "expected a size like");
        assertError("server: { command: 'x {port}' }\nlisten: { mode: ordered }", "listen.protocol", "needs one of resp");
        assertError("server: { command: 'x {port}' }\nlisten: { mode: ordered, protocol: raw }", "listen.protocol", "use mode: stream");
        assertError("server: { command: 'x {port}' }\nlisten: { mode: udp, protocol: resp }", "listen.protocol", "udp mode does not frame");
        assertError(MINIMAL + "canonicalize: [ { regex: '(' } ]\n", "canonicalize[0].regex", "invalid regular expression");
        assertError("server: { command: 'x {port}' }\nlisten: { mode: stream }\nrecovery: replay\n", "recovery", "stream mode keeps no request log");
        assertError("server: [x]\nlisten: { protocol: resp }", "server", "expected a mapping");
        assertError("server: { command: 'x {port}', sandbox: chroot }\nlisten: { protocol: resp }", "server.sandbox",
                "server.sandbox: expected none or bwrap, got 'chroot'");
        assertError("server: { command: 'x {port}', pin: sometimes }\nlisten: { protocol: resp }", "server.pin",
                "server.pin: expected true or false, got 'sometimes'");
        assertError("server: { command: 5 }\nlisten: { protocol: resp }", "server.command",
                "server.command: expected text or a list of texts, got the number 5");
        assertError("replicas: 2\nserver: { command: [ 'x {port}', true ] }\nlisten: { protocol: resp }",
                "server.command[1]", "server.command[1]: expected text, got true");
        assertError("server: { command: }\nlisten: { protocol: resp }", "server.command", "server.command: is required");
        assertError(MINIMAL + "maxInFlight: 1.5\n", "maxInFlight", "expected a whole number, got the number 1.5");
        assertError("server: {\n", "t.yaml", "not valid YAML at line");
        assertError(MINIMAL + "replayLogEntries: 0\n", "replayLogEntries",
                "replayLogEntries: 0 leaves no room for a single request, so no failed replica could ever be rebuilt");
        assertError(MINIMAL + "replayLogLimit: 0\n", "replayLogLimit", "or set recovery: restart");
    }

    /**
     * A misspelt field is named before anything its misspelling left out: server: {comand: …} was reported as
     * "server.command: is required", which sent the user looking for a field that was there.
     */
    @Test
    void shouldNameAMisspeltFieldBeforeTheFieldItLeftOut() {
        assertError("server: { comand: 'x {port}' }\nlisten: { protocol: resp }\n", "server.comand",
                "server.comand: unknown field; expected command, ready, readyTimeout, sandbox or pin");
        assertError("server: { command: 'x {port}' }\nlisten: { protcol: resp }\n", "listen.protcol",
                "listen.protcol: unknown field; expected host, port, mode or protocol");
        assertError("server: { command: 'x {port}' }\nlisen: { protocol: resp }\n", "lisen", "lisen: unknown field");
        assertError(MINIMAL.replace("line", "resp") + "checkpoint: { evry: 10, save: SAVE, digest: DBSIZE, files: d }\n",
                "checkpoint.evry", "checkpoint.evry: unknown field; expected every, save, digest or files");
        assertError(MINIMAL + "canonicalize: [{ regexp: a }]\n", "canonicalize[0].regexp",
                "canonicalize[0].regexp: unknown field; expected regex or replace");
    }

    @Test
    void shouldRefuseACheckpointThatCannotWork() {
        String resp = "server: { command: 'x {port}' }\nlisten: { protocol: resp }\n";
        String ok = "save: SAVE, digest: DEBUG DIGEST, files: dump.rdb";
        assertThat(GatewayConfig.parse(resp, "t.yaml").checkpoint()).as("none unless asked for").isNull();
        assertThat(GatewayConfig.parse(resp + "checkpoint: { every: 10, " + ok + " }\n", "t.yaml").checkpoint())
                .isEqualTo(new GatewayConfig.Checkpoint(10, "SAVE", "DEBUG DIGEST", List.of("dump.rdb")));
        assertError(resp + "checkpoint: { " + ok + " }\n", "checkpoint.every", "is required");
        assertError(resp + "replayLogEntries: 100\ncheckpoint: { every: 51, " + ok + " }\n", "checkpoint.every",
                "replayLogEntries (100) requests and must keep room for those that arrive while a checkpoint is taken;"
                        + " choose at most half of it");
        assertThat(GatewayConfig.parse(resp + "replayLogEntries: 100\ncheckpoint: { every: 50, " + ok + " }\n", "t.yaml")
                .checkpoint().every()).isEqualTo(50);
        assertError(resp + "recovery: restart\ncheckpoint: { every: 10, " + ok + " }\n", "checkpoint", "needs recovery: replay");
        assertError("server: { command: 'x {port}' }\nlisten: { mode: stream }\ncheckpoint: { every: 10, " + ok + " }\n",
                "checkpoint", "needs mode: ordered");
        assertError(resp + "checkpoint: { every: 10, digest: DBSIZE, files: dump.rdb }\n", "checkpoint.save", "is required");
        assertError(resp + "checkpoint: { every: 10, save: SAVE, files: dump.rdb }\n", "checkpoint.digest",
                "is required: a request whose reply identifies the state");
        assertError(resp + "checkpoint: { every: 10, save: SAVE, digest: DBSIZE }\n", "checkpoint.files", "is required");
        assertError(resp + "checkpoint: { every: 10, save: SAVE, digest: DBSIZE, files: ../etc/passwd }\n", "checkpoint.files",
                "expected a path inside the server's data directory ({dir}), like dump.rdb, got '../etc/passwd'");
        assertError(resp + "checkpoint: { every: 10, save: '*2', digest: DBSIZE, files: dump.rdb }\n", "checkpoint.save",
                "'*2' is not one complete resp request");
        assertError(resp + "checkpoint: { every: 10, " + ok + ", when: never }\n", "checkpoint.when", "unknown field");
    }

    /** Without a log the bounds mean nothing: 0 is no mistake there. */
    @Test
    void shouldTakeAnEmptyReplayLogBoundWhereNothingIsReplayed() {
        GatewayConfig c = GatewayConfig.parse(MINIMAL + "recovery: restart\nreplayLogEntries: 0\nreplayLogLimit: 0\n", "t.yaml");
        assertThat(c.recovery()).isEqualTo(GatewayConfig.Recovery.RESTART);
    }

    /** A service config's errors said "kv.yaml: field: ...", a gateway config's only "field: ...". */
    @Test
    void shouldNameTheFileOfALoadedConfigInEveryError(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("gw.yaml");
        Files.writeString(file, "server: { command: 'x {port}' }\nlisten: { mode: fast }\n");
        assertThatThrownBy(() -> GatewayConfig.load(file)).isInstanceOf(ConfigException.class)
                .hasMessage("gw.yaml: listen.mode: expected ordered, stream or udp, got 'fast'");

        Files.writeString(file, "server: { command: 'x {port}', bogus: 1 }\nlisten: { protocol: line }\n");
        assertThatThrownBy(() -> GatewayConfig.load(file)).hasMessageStartingWith("gw.yaml: server.bogus: unknown field");

        Files.writeString(file, "server: { command: 'x {port}' }\n");
        assertThatThrownBy(() -> GatewayConfig.load(file)).hasMessage("gw.yaml: listen: is required");

        Files.writeString(file, "server: {\n");
        assertThatThrownBy(() -> GatewayConfig.load(file)).hasMessageStartingWith(file + ": not valid YAML at line");

        // Was "cannot read: Input length = 1", the JDK's words for bytes that are not UTF-8.
        Files.write(file, new byte[] {'s', ':', ' ', (byte) 0xC3, (byte) 0x28, 0, 1});
        assertThatThrownBy(() -> GatewayConfig.load(file))
                .hasMessage(file + ": not UTF-8 text; a config file is YAML text (is it the right file?)");
        assertThatThrownBy(() -> GatewayConfig.load(dir.resolve("none.yaml"))).hasMessage(dir.resolve("none.yaml") + ": no such file");
    }

    /** Only a shell expands ~: workDir: ~/x made a directory named "~" next to the config, as it did for a group. */
    @Test
    void shouldRefuseAWorkDirStartingWithTildeAsAGroupDoes() {
        String home = System.getenv("HOME") == null ? System.getProperty("user.home") : System.getenv("HOME");
        assertThatThrownBy(() -> GatewayConfig.parse(MINIMAL + "workDir: ~/x\n", "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessage("workDir: '~/x' starts with ~, which a config does not expand (only a shell does): write "
                        + home + "/x, or a path relative to the config file's directory");
        assertError(MINIMAL + "workDir: '~'\n", "workDir", "'~' starts with ~");
        assertThat(GatewayConfig.parse(MINIMAL + "workDir: x~/y\n", "t.yaml").workDir().getFileName().toString())
                .as("a ~ elsewhere is a plain character").isEqualTo("y");
    }

    @Test
    void shouldRefuseAKeyGivenTwiceAndSayAYamlErrorInOneLine() {
        assertError(MINIMAL + "replicas: 3\nreplicas: 5\n", "t.yaml", "Duplicate field 'replicas'");
        assertThatThrownBy(() -> GatewayConfig.parse(MINIMAL + "\tbad: x\n", "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("not valid YAML at line")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void shouldTellGatewayConfigsFromServiceConfigs() throws Exception {
        assertThat(GatewayConfig.isGatewayConfig(new YAMLMapper().readTree("group: kv\nservice: io.resh.examples.KvService\n")))
                .isFalse();
    }

    /** Both sections gave "listen.protocol: ordered mode frames requests ..." or "service: unknown field". */
    @Test
    void shouldRefuseAServiceAndAServerInOneConfig() {
        assertError("""
                group: kv
                service: { class: io.resh.examples.kv.KvStore }
                server: { command: "srv --port {port}" }
                listen: { port: 7400 }
                """, "service", "service: a config has either service: (a replicated Java service) or server: "
                + "(unmodified servers behind the gateway), not both");
        assertError(MINIMAL + "versions: [ { class: io.resh.examples.kv.KvStore } ]\n", "versions",
                "versions: a config has either versions: (a replicated Java service) or server:");
    }

    private static void assertError(String yaml, String field, String message) {
        assertThatThrownBy(() -> GatewayConfig.parse(yaml, "t.yaml"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining(message)
                .satisfies(e -> assertThat(((ConfigException) e).field()).isEqualTo(field));
    }
}

package io.resh.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.gateway.testing.Commands;
import io.resh.gateway.testing.GatewayExtension;
import io.resh.gateway.testing.RespClient;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Three real redis-server replicas behind the gateway, driven by the real redis-cli and redis-benchmark. */
class RedisGatewayTest {
    static final String CONFIG = """
            group: redis
            replicas: 3
            server:
              command: redis-server --port {port} --bind 127.0.0.1 --save "" --appendonly no --enable-debug-command local
              ready: tcp
            listen: { port: 0, protocol: resp, mode: ordered }
            deadline: 2s
            """;

    @RegisterExtension
    final GatewayExtension redis = new GatewayExtension();

    @BeforeEach
    void start() {
        redis.start(CONFIG);
    }

    @Test
    void shouldRoundTripThroughRedisCli() throws Exception {
        String port = Integer.toString(redis.port());
        assertThat(Commands.run(10, null, "redis-cli", "-p", port, "SET", "greeting", "hello world").output().trim()).isEqualTo("OK");
        assertThat(Commands.run(10, null, "redis-cli", "-p", port, "GET", "greeting").output().trim()).isEqualTo("hello world");
        assertThat(Commands.run(10, null, "redis-cli", "-p", port, "INCRBY", "n", "41").output().trim()).isEqualTo("41");
        assertThat(Commands.run(10, null, "redis-cli", "-p", port, "SUBSCRIBE", "news").output())
                .contains("not supported through the replicating gateway");

        byte[] script = "SET a 1\nINCR a\nRPUSH l x y z\nLRANGE l 0 -1\nGET missing\n".getBytes(StandardCharsets.UTF_8);
        Commands.Result piped = Commands.run(10, script, "redis-cli", "-p", port);
        assertThat(piped.output().lines().toList()).containsExactly("OK", "2", "3", "x", "y", "z", "");

        redis.awaitQuiet();
        for (int i = 0; i < 3; i++) {
            try (RespClient direct = new RespClient(redis.replicaPort(i))) {
                assertThat(RespClient.text(direct.call("GET", "greeting"))).isEqualTo("hello world");
            }
        }
    }

    @Test
    void shouldRunRedisBenchmarkWithoutErrors() throws Exception {
        Commands.Result r = Commands.run(60, null, "redis-benchmark", "-p", Integer.toString(redis.port()), "-n", "2000",
                "-c", "10", "-q", "-t", "ping,set,get,incr,lpush,rpush,lpop,rpop,sadd,hset,zadd,lrange_100,mset");
        assertThat(r.exit()).as(r.output()).isZero();
        assertThat(r.output()).doesNotContainIgnoringCase("error").contains("SET:", "GET:", "INCR:", "MSET");
        assertThat(redis.status().failStop()).isNull();
        assertThat(redis.events(io.resh.core.GroupEvent.FaultDetected.class)).isEmpty();
        List<String> digests = digests();
        assertThat(digests).as("every replica holds the same data").hasSize(3).containsOnly(digests.get(0));
    }

    @Test
    void shouldPipelineAndKeepBinaryKeysIntact() throws Exception {
        byte[] key = {(byte) 0xff, 0, (byte) 0xc3, (byte) 0x28, '\r', '\n'};
        byte[] value = {(byte) 0xe2, (byte) 0x28, (byte) 0xa1, 0, 1, 2};
        try (RespClient c = new RespClient(redis.port())) {
            assertThat(c.callBytes("SET".getBytes(), key, value)).isEqualTo("OK");
            assertThat((byte[]) c.callBytes("GET".getBytes(), key)).isEqualTo(value);
            List<String[]> batch = new ArrayList<>();
            for (int i = 0; i < 500; i++) {
                batch.add(new String[] {"INCR", "counter"});
            }
            List<Object> replies = c.pipeline(batch);
            for (int i = 0; i < 500; i++) {
                assertThat(replies.get(i)).isEqualTo((long) i + 1);
            }
        }
    }

    List<String> digests() throws Exception {
        redis.awaitQuiet();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            try (RespClient direct = new RespClient(redis.replicaPort(i))) {
                out.add(RespClient.text(direct.call("DEBUG", "DIGEST")));
            }
        }
        return out;
    }
}

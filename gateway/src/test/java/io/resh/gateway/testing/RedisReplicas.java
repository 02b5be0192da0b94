package io.resh.gateway.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

/** Checks on the redis-servers behind a gateway, asked directly, past the vote. */
public final class RedisReplicas {
    private RedisReplicas() {
    }

    /** Once every request is answered, every replica holds the same non-empty data ({@code DEBUG DIGEST}). */
    public static void assertSameData(GatewayExtension redis) throws Exception {
        redis.awaitQuiet();
        List<String> digests = new ArrayList<>();
        for (int i = 0; i < redis.status().replicas().size(); i++) {
            try (RespClient direct = new RespClient(redis.replicaPort(i))) {
                digests.add(RespClient.text(direct.call("DEBUG", "DIGEST")));
            }
        }
        assertThat(digests).as("DEBUG DIGEST of each replica").containsOnly(digests.get(0));
        assertThat(digests.get(0)).isNotEqualTo("0000000000000000000000000000000000000000");
    }
}

package io.resh.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

/** How {@code resh events} prints one event of the log, without a server. */
class EventLineTest {
    private static String line(String json) throws Exception {
        JsonNode event = AdminClient.json().readTree(json);
        return new EventsCommand().format(event);
    }

    /** A replacement that caught up on one request was "replayed 1 requests". */
    @Test
    void shouldCountReplayedRequestsInGoodEnglish() throws Exception {
        String one = line("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"recovered\",\"replica\":1,\"core\":null,"
                + "\"sequence\":1,\"durationMillis\":403,\"replayed\":1}");
        String eight = line("{\"timeMillis\":0,\"group\":\"kv\",\"type\":\"recovered\",\"replica\":1,\"core\":null,"
                + "\"sequence\":8,\"durationMillis\":342,\"replayed\":8}");

        assertThat(one).endsWith("  kv  replica 1  #1  recovered  in 403 ms, replayed 1 request");
        assertThat(eight).endsWith("  kv  replica 1  #8  recovered  in 342 ms, replayed 8 requests");
    }
}

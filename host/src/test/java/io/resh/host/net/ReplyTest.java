package io.resh.host.net;

import static org.assertj.core.api.Assertions.assertThat;

import io.resh.client.ClientProtocol;
import io.resh.host.PoisonRequestException;
import io.resh.host.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class ReplyTest {
    @Test
    void shouldTellAClientNotToRetryARequestOfDeath() {
        Reply r = Reply.failure(new CompletionException(new PoisonRequestException(7, 3,
                "request #7 killed all 3 replicas (crash: process exited with code 70); it was skipped (no replica's state includes it) and will not be retried")));
        assertThat(r.status()).isEqualTo(ClientProtocol.STATUS_SERVICE_ERROR);
        assertThat(new String(r.payload(), StandardCharsets.UTF_8)).startsWith("request #7 killed all 3 replicas");
    }

    @Test
    void shouldLetAClientRetryWhenTheGroupWasUnavailable() {
        assertThat(Reply.failure(new UnavailableException("closed")).status()).isEqualTo(ClientProtocol.STATUS_UNAVAILABLE);
    }
}

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

    /** A request that timed out after the replicas had it may have taken effect: not a refusal. */
    @Test
    void shouldSayTheOutcomeIsUnknownWhenTheRequestTimedOut() {
        Reply r = Reply.failure(new CompletionException(UnavailableException.outcomeUnknown(
                "request #4 got no 2 matching replies within 10 s; it may or may not have taken effect")));
        assertThat(r.status()).isEqualTo(ClientProtocol.STATUS_OUTCOME_UNKNOWN);
        assertThat(ClientProtocol.statusName(r.status())).isEqualTo("outcome unknown");
    }
}

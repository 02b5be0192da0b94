package io.resh.host.net;

import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.core.FailStopException;
import io.resh.host.PoisonRequestException;
import io.resh.host.ServiceErrorException;
import io.resh.host.UnavailableException;
import java.nio.charset.StandardCharsets;

/**
 * What a client gets for one request: a {@link ClientProtocol} status and the voted reply, or the UTF-8
 * message that says why there is none.
 */
public record Reply(byte status, byte[] payload) {
    /** The voted reply. */
    public static Reply ok(byte[] reply) {
        return new Reply(ClientProtocol.STATUS_OK, reply);
    }

    /** The answer to a request whose future failed with {@code error}: the status its kind of failure maps to. */
    public static Reply failure(Throwable error) {
        Throwable cause = CompletionCause.of(error);
        return new Reply(statusOf(cause), String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8));
    }

    private static byte statusOf(Throwable t) {
        if (t instanceof ServiceErrorException || t instanceof PoisonRequestException) {
            return ClientProtocol.STATUS_SERVICE_ERROR;
        }
        if (t instanceof FailStopException) {
            return ClientProtocol.STATUS_FAIL_STOP;
        }
        if (t instanceof IllegalArgumentException) {
            return ClientProtocol.STATUS_BAD_REQUEST;
        }
        if (t instanceof UnavailableException u && u.outcomeUnknown()) {
            // Timed out after the replicas had it: a client that retries might apply it twice.
            return ClientProtocol.STATUS_OUTCOME_UNKNOWN;
        }
        // A closed group and anything unexpected: the client may retry.
        return ClientProtocol.STATUS_UNAVAILABLE;
    }
}

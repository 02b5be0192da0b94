package io.resh.cluster;

import io.resh.client.ClientProtocol;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The outcome of one applied entry as the state machine returns it through Ratis: a
 * {@link ClientProtocol} status byte followed by the voted reply (or the UTF-8 error message).
 * Every host computes the same outcome for the same entry; the leader's goes back to the client.
 */
record ClusterReply(byte status, byte[] payload) {
    static ClusterReply ok(byte[] reply) {
        return new ClusterReply(ClientProtocol.STATUS_OK, reply);
    }

    static ClusterReply error(byte status, String message) {
        return new ClusterReply(status, String.valueOf(message).getBytes(StandardCharsets.UTF_8));
    }

    byte[] encode() {
        byte[] out = new byte[1 + payload.length];
        out[0] = status;
        System.arraycopy(payload, 0, out, 1, payload.length);
        return out;
    }

    static ClusterReply decode(byte[] bytes) {
        if (bytes.length == 0) {
            return error(ClientProtocol.STATUS_UNAVAILABLE, "empty reply from the cluster state machine");
        }
        return new ClusterReply(bytes[0], Arrays.copyOfRange(bytes, 1, bytes.length));
    }

    String message() {
        return new String(payload, StandardCharsets.UTF_8);
    }
}

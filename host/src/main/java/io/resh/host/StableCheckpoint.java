package io.resh.host;

import io.resh.core.Digest;

/**
 * The newest state that f+1 replicas vouched for: its sequence number, digest and snapshot bytes (from
 * one agreeing replica, verified against the digest). Sequence 0 is the initial state and has no bytes.
 */
record StableCheckpoint(long sequence, Digest digest, byte[] snapshot) {
    static final StableCheckpoint INITIAL = new StableCheckpoint(0, null, null);

    boolean initial() {
        return sequence == 0;
    }
}

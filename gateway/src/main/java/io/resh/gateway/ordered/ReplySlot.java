package io.resh.gateway.ordered;

/** Where the answer to one request goes: a position in a client's reply order. */
public interface ReplySlot {

    /** Delivers the reply (voted, or an error the gateway produced); called at most once. */
    void fill(byte[] reply);
}

package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;

/** Where the answer to one request goes: a position in a client's reply order. */
public interface ReplySlot {

    /** Delivers the reply (voted, or an error the gateway produced); called at most once. */
    void fill(byte[] reply);

    /**
     * Delivers a voted reply held in a buffer, instead of {@link #fill(byte[])}; the slot owns {@code reply} and
     * releases it. By default it is copied out and released.
     */
    default void fill(ByteBuf reply) {
        byte[] bytes;
        try {
            bytes = ByteBufUtil.getBytes(reply);
        } finally {
            reply.release();
        }
        fill(bytes);
    }
}

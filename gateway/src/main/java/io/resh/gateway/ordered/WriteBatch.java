package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/**
 * Coalesces the small messages written to one channel between two flushes into one direct buffer, so
 * a pipelined burst costs one channel write instead of one per message. Event loop only.
 */
final class WriteBatch {
    /** A batch this large is handed to the channel at once, so the channel's water marks see it. */
    static final int BATCH_BYTES = 64 * 1024;

    private ByteBuf batch;

    /** Adds {@code bytes}; a message of {@link #BATCH_BYTES} or more goes to the channel as it is, after the batch. */
    void add(Channel channel, byte[] bytes) {
        if (bytes.length >= BATCH_BYTES) {
            handTo(channel);
            channel.write(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
            return;
        }
        if (batch == null) {
            batch = channel.alloc().directBuffer(Math.max(4096, bytes.length), BATCH_BYTES * 2);
        }
        batch.writeBytes(bytes);
        if (batch.readableBytes() >= BATCH_BYTES) {
            handTo(channel);
        }
    }

    /** Adds {@code bytes} as {@link #add(Channel, byte[])} does, and releases it (or hands it to the channel). */
    void add(Channel channel, ByteBuf bytes) {
        if (bytes.readableBytes() >= BATCH_BYTES) {
            handTo(channel);
            channel.write(bytes, channel.voidPromise());
            return;
        }
        try {
            if (batch == null) {
                batch = channel.alloc().directBuffer(Math.max(4096, bytes.readableBytes()), BATCH_BYTES * 2);
            }
            batch.writeBytes(bytes);
        } finally {
            bytes.release();
        }
        if (batch.readableBytes() >= BATCH_BYTES) {
            handTo(channel);
        }
    }

    /** Writes the batch to the channel (unflushed), which now owns it and releases it even if closed. */
    void handTo(Channel channel) {
        if (batch != null) {
            ByteBuf b = batch;
            batch = null;
            channel.write(b, channel.voidPromise());
        }
    }

    /** Releases what was batched without writing it (the connection is gone). */
    void drop() {
        if (batch != null) {
            batch.release();
            batch = null;
        }
    }
}

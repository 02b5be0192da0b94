package io.resh.gateway.ordered;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;

/** A {@link BackendLink} over one TCP connection to a replica. */
final class TcpBackendLink implements BackendLink {
    private final int slot;
    private Channel channel;

    TcpBackendLink(int slot) {
        this.slot = slot;
    }

    void bind(Channel channel) {
        this.channel = channel;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public boolean isWritable() {
        return channel.isWritable();
    }

    @Override
    public void write(byte[] bytes) {
        channel.write(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
    }

    @Override
    public void flush() {
        channel.flush();
    }

    @Override
    public void close() {
        channel.close();
    }
}

package io.resh.gateway.udp;

import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator;

/** Receive buffers for datagram sockets. */
public final class Datagrams {
    /** The largest UDP payload (IPv4: 65,535 minus the IP and UDP headers); a buffer never needs more. */
    static final int MAX_PAYLOAD = 65_507;

    private Datagrams() {
    }

    /**
     * A buffer one byte larger than {@code limit} (at most a whole datagram): the kernel silently cuts a
     * datagram to the buffer it is read into, so Netty's default 2,048 bytes truncated every larger request
     * and reply, and a datagram over {@code limit} could not even be recognized as one.
     */
    public static RecvByteBufAllocator receiveBuffer(int limit) {
        return new FixedRecvByteBufAllocator((int) Math.min((long) limit + 1, MAX_PAYLOAD));
    }
}

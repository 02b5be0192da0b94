package io.resh.gateway.udp;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.DatagramPacket;
import io.resh.gateway.ordered.OrderedMultiplexer;
import io.resh.gateway.protocol.Request;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The listening datagram socket. Auto-read is off: a datagram is read only while the multiplexer has
 * room, otherwise the kernel's receive buffer fills and drops them (UDP's own backpressure).
 */
public final class UdpFrontend extends ChannelInboundHandlerAdapter {
    private final OrderedMultiplexer mux;
    private final int maxFrameBytes;
    private final int maxClients;
    /** Recently seen client addresses (least recently used first), for status only. */
    private final Map<InetSocketAddress, Boolean> clients = new LinkedHashMap<>(16, 0.75f, true);
    private boolean parked;
    private long dropped;

    public UdpFrontend(OrderedMultiplexer mux, int maxFrameBytes, int maxClients) {
        this.mux = mux;
        this.maxFrameBytes = maxFrameBytes;
        this.maxClients = maxClients;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        DatagramPacket packet = (DatagramPacket) msg;
        try {
            InetSocketAddress sender = packet.sender();
            int size = packet.content().readableBytes();
            // Netty's datagram channel skips writing an empty buffer: an empty request would never reach the
            // replicas, and the reply awaited for it would be taken from the next request, another client's.
            if (size > maxFrameBytes || size == 0) {
                dropped++;
                return;
            }
            clients.put(sender, Boolean.TRUE);
            if (clients.size() > maxClients) {
                clients.remove(clients.keySet().iterator().next());
            }
            Request request = Request.of(ByteBufUtil.getBytes(packet.content()), "datagram", false, 0);
            mux.submit(request, reply -> ctx.channel().writeAndFlush(new DatagramPacket(Unpooled.wrappedBuffer(reply), sender)));
        } finally {
            packet.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (mux.hasCapacity()) {
            ctx.read();
        } else if (!parked) {
            parked = true;
            mux.awaitCapacity(() -> {
                parked = false;
                ctx.read();
            });
        }
    }

    /** Client addresses seen recently (at most maxClients remembered). */
    public int clients() {
        return clients.size();
    }

    /** Datagrams dropped because they exceeded maxFrameBytes or were empty. */
    public long dropped() {
        return dropped;
    }
}

package io.resh.gateway.udp;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.resh.core.FaultKind;
import io.resh.gateway.ordered.BackendLink;
import io.resh.gateway.ordered.OrderedMultiplexer;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.server.ServerProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.ArrayDeque;

/**
 * One connected datagram socket per replica, registered on the multiplexer's event loop, carrying one
 * request datagram at a time (see {@link Link}). Each datagram received on it is one reply. A reply datagram larger than {@code maxReplyBytes} or an
 * ICMP "port unreachable" (the server is gone) is a fault of that replica.
 */
public final class UdpBackends implements ServerGroup.Engine {
    private final EventLoop loop;
    private final OrderedMultiplexer mux;
    private final int maxReplyBytes;
    private final ServerGroup group;
    /** Each replica's current socket (its latest start's), for a crash seen as its process's exit. */
    private final Link[] links;

    public UdpBackends(EventLoop loop, OrderedMultiplexer mux, int maxReplyBytes, ServerGroup group, int replicas) {
        this.loop = loop;
        this.mux = mux;
        this.maxReplyBytes = maxReplyBytes;
        this.group = group;
        this.links = new Link[replicas];
    }

    @Override
    public void attach(int slot, ServerProcess process) {
        InetSocketAddress server = new InetSocketAddress(InetAddress.getLoopbackAddress(), process.port());
        Link link = new Link(slot);
        links[slot] = link;
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, Datagrams.receiveBuffer(maxReplyBytes))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        link.channel = ch;
                        ch.pipeline().addLast(new ReplyHandler(link));
                    }
                });
        b.connect(server, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).addListener(done -> {
            if (done.isSuccess()) {
                mux.attach(link);
            } else {
                group.fault(slot, FaultKind.START_FAILURE, mux.sequenced(), "cannot open a datagram socket to port "
                        + process.port() + ": " + done.cause().getMessage());
            }
        });
    }

    @Override
    public void detach(int slot) {
        mux.detach(slot);
    }

    @Override
    public void exited(int slot, String evidence) {
        Link link = links[slot];
        if (link != null && mux.isCurrent(link)) {
            mux.onLinkFailed(link, FaultKind.CRASH, evidence);
        } else {
            group.faultWhileIdle(slot, FaultKind.CRASH, mux.sequenced(), evidence); // its socket is not open yet: it owed nothing
        }
    }

    @Override
    public boolean canRebuild() {
        return mux.replayLog() == null || !mux.replayLog().overflowed();
    }

    /**
     * Sends a replica one datagram at a time: the next only once the one before is answered. A datagram
     * carries nothing that ties a reply to its request, and UDP servers drop datagrams they cannot parse (and
     * the kernel drops what overflows a receive buffer); with several in flight, the reply to the next would
     * be taken for the dropped one's, and every later reply would go to the client of the request before it.
     * One at a time, a dropped datagram is one the replica owes and never answers: a hang, at that request.
     */
    private static final class Link implements BackendLink {
        final int slot;
        Channel channel;
        /** Written by the multiplexer, waiting for the reply to the datagram in flight; oldest first. */
        private final ArrayDeque<byte[]> waiting = new ArrayDeque<>();
        private boolean inFlight;
        private boolean closed;

        Link(int slot) {
            this.slot = slot;
        }

        /** The datagram in flight was answered: send the next one. */
        void answered() {
            inFlight = false;
            byte[] next = waiting.pollFirst();
            if (next != null && !closed) {
                send(next);
                channel.flush();
            }
        }

        private void send(byte[] bytes) {
            inFlight = true;
            channel.write(Unpooled.wrappedBuffer(bytes), channel.voidPromise());
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
            if (inFlight) {
                waiting.addLast(bytes);
            } else {
                send(bytes);
            }
        }

        @Override
        public void flush() {
            channel.flush();
        }

        @Override
        public void close() {
            closed = true;
            waiting.clear();
            channel.close();
        }
    }

    private final class ReplyHandler extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Link link;

        ReplyHandler(Link link) {
            this.link = link;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            if (packet.content().readableBytes() > maxReplyBytes) {
                mux.onLinkFailed(link, FaultKind.PROTOCOL, "reply datagram of " + packet.content().readableBytes()
                        + " bytes exceeds maxReplyBytes");
                return;
            }
            mux.onReply(link, ByteBufUtil.getBytes(packet.content()));
            link.answered();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (cause instanceof PortUnreachableException) {
                mux.onLinkFailed(link, FaultKind.CRASH, "its port is unreachable (the server is gone)");
            } else {
                mux.onLinkFailed(link, FaultKind.PROTOCOL, "datagram socket failed: " + cause.getMessage());
            }
        }
    }
}

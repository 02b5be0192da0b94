package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.resh.core.FaultKind;
import io.resh.gateway.protocol.FrameException;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import io.resh.gateway.server.ServerProcess;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Frames one replica's replies and hands each to the multiplexer as soon as it is complete. The
 * framer needs to know which request a reply answers (a memcached {@code get} and {@code set} are
 * answered differently), and the multiplexer knows: replies come back in request order.
 */
final class BackendHandler extends ByteToMessageDecoder {
    private final OrderedMultiplexer mux;
    private final Protocol protocol;
    private final int maxReplyBytes;
    private final TcpBackendLink link;
    private final ServerProcess process;
    private boolean lost;

    BackendHandler(OrderedMultiplexer mux, Protocol protocol, int maxReplyBytes, TcpBackendLink link, ServerProcess process) {
        this.mux = mux;
        this.protocol = protocol;
        this.maxReplyBytes = maxReplyBytes;
        this.link = link;
        this.process = process;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (!mux.isCurrent(link)) {
                in.skipBytes(in.readableBytes());
                return;
            }
            Request request = mux.expected(link);
            if (request == null) {
                byte[] extra = new byte[Math.min(in.readableBytes(), 64)];
                in.getBytes(in.readerIndex(), extra);
                in.skipBytes(in.readableBytes());
                mux.onReply(link, extra); // no request owed: the multiplexer reports the unsolicited bytes
                return;
            }
            int length;
            try {
                length = protocol.replyLength(in, request, maxReplyBytes);
            } catch (FrameException e) {
                in.skipBytes(in.readableBytes());
                mux.onLinkFailed(link, FaultKind.PROTOCOL, "reply to " + request.name() + " cannot be framed: " + e.getMessage());
                return;
            }
            if (length < 0) {
                return;
            }
            byte[] reply = new byte[length];
            in.readBytes(reply);
            mux.onReply(link, reply);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connectionLost(ctx, "closed its connection to the gateway");
        super.channelInactive(ctx);
    }

    /**
     * A killed server's sockets close a moment before its exit can be observed: give the exit a short
     * grace period so that the fault is classified as the crash it is, not as a protocol fault.
     */
    private void connectionLost(ChannelHandlerContext ctx, String why) {
        if (!mux.isCurrent(link) || lost) {
            return;
        }
        lost = true;
        process.onExit().completeOnTimeout(null, 250, TimeUnit.MILLISECONDS).thenRun(() -> ctx.executor().execute(() -> {
            boolean dead = !process.isAlive();
            mux.onLinkFailed(link, dead ? FaultKind.CRASH : FaultKind.PROTOCOL,
                    dead ? "process " + process.pid() + " " + process.exitDescription() : why);
        }));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            mux.onWritable(link);
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connectionLost(ctx, "connection failed: " + cause.getMessage());
        ctx.close();
    }
}

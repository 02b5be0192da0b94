package io.resh.cluster;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.resh.client.ClientProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decodes each request frame (plain, or wrapped in an {@link Envelope} for exactly-once retries), puts it
 * through the cluster, and writes the outcome back with the request's correlation id. Stops reading
 * from a client with too many requests outstanding until some are answered.
 */
final class ClusterRequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterRequestHandler.class);
    private final ClusterNode node;
    private final int maxRequestBytes;
    private int inFlight; // only on this channel's event loop

    ClusterRequestHandler(ClusterNode node, int maxRequestBytes) {
        this.node = node;
        this.maxRequestBytes = maxRequestBytes;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if (frame.readableBytes() < 8) {
            reject(ctx, "malformed request frame: " + frame.readableBytes()
                    + " bytes after the length field, at least 8 (the correlation id) are required");
            return;
        }
        long id = frame.readLong();
        byte[] bytes = new byte[frame.readableBytes()];
        frame.readBytes(bytes);
        Envelope env = Envelope.decode(bytes);
        if (++inFlight >= ClusterFrontDoor.MAX_IN_FLIGHT_PER_CONNECTION) {
            ctx.channel().config().setAutoRead(false);
        }
        var outcome = env == null ? node.submit(null, 0, bytes, false)
                : node.submit(env.client(), env.call(), env.payload(), env.forwarded());
        outcome.whenComplete((reply, error) -> ctx.executor().execute(() -> {
            if (--inFlight < ClusterFrontDoor.MAX_IN_FLIGHT_PER_CONNECTION / 2 && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            ClusterReply r = error == null ? reply
                    : ClusterReply.error(ClientProtocol.STATUS_UNAVAILABLE, String.valueOf(error.getMessage()));
            ctx.writeAndFlush(ClientProtocol.encodeReply(ctx.alloc(), id, r.status(), r.payload()));
        }));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            reject(ctx, "request frame exceeds the limit of " + maxRequestBytes + " bytes (maxRequestBytes)");
        } else {
            LOG.debug("client {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
        }
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        LOG.warn("client {}: {}; closing the connection", ctx.channel().remoteAddress(), why);
        ctx.writeAndFlush(ClientProtocol.encodeError(ctx.alloc(), 0, ClientProtocol.STATUS_BAD_REQUEST, why))
                .addListener(f -> ctx.close());
    }
}

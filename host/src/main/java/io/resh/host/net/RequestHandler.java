package io.resh.host.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.resh.client.ClientProtocol;
import io.resh.core.FailStopException;
import io.resh.host.ReplicaGroup;
import io.resh.host.ServiceErrorException;
import io.resh.host.UnavailableException;
import java.util.concurrent.CompletionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits each request frame to the group and writes the voted reply back with its correlation id.
 * Stops reading from a client with too many requests outstanding until some are answered.
 */
final class RequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
    private final ReplicaGroup group;
    private final int maxRequestBytes;
    private int inFlight; // touched only on this channel's event loop

    RequestHandler(ReplicaGroup group, int maxRequestBytes) {
        this.group = group;
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
        byte[] payload = new byte[frame.readableBytes()];
        frame.readBytes(payload);
        if (++inFlight >= RequestHandler.limit()) {
            ctx.channel().config().setAutoRead(false);
        }
        group.submit(payload).whenComplete((reply, error) -> ctx.executor().execute(() -> {
            if (--inFlight < RequestHandler.limit() / 2 && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
            if (error == null) {
                ctx.writeAndFlush(ClientProtocol.encodeReply(ctx.alloc(), id, ClientProtocol.STATUS_OK, reply));
            } else {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                ctx.writeAndFlush(ClientProtocol.encodeError(ctx.alloc(), id, statusOf(cause), String.valueOf(cause.getMessage())));
            }
        }));
    }

    private static int limit() {
        return ReshServer.MAX_IN_FLIGHT_PER_CONNECTION;
    }

    static byte statusOf(Throwable t) {
        if (t instanceof ServiceErrorException) {
            return ClientProtocol.STATUS_SERVICE_ERROR;
        }
        if (t instanceof FailStopException) {
            return ClientProtocol.STATUS_FAIL_STOP;
        }
        if (t instanceof IllegalArgumentException) {
            return ClientProtocol.STATUS_BAD_REQUEST;
        }
        if (t instanceof UnavailableException) {
            return ClientProtocol.STATUS_UNAVAILABLE;
        }
        return ClientProtocol.STATUS_UNAVAILABLE;
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

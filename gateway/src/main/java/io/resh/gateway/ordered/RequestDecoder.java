package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import io.resh.gateway.protocol.FrameException;
import io.resh.gateway.protocol.HttpProtocol;
import io.resh.gateway.protocol.LocalReply;
import io.resh.gateway.protocol.Protocol;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Frames a client's bytes into {@link io.resh.gateway.protocol.Request}s and {@link LocalReply}s.
 *
 * <p>Bad input costs only this client: a malformed or oversized request becomes an error reply
 * followed by a close, and the rest of its bytes are discarded unread. A request that stays
 * incomplete for longer than {@code frameTimeout} (a slowloris client) is answered the same way.
 * The buffer never holds more than one incomplete request, bounded by {@code maxFrameBytes}.
 */
public final class RequestDecoder extends ByteToMessageDecoder {
    private final Protocol protocol;
    private final int maxFrameBytes;
    private final long frameTimeoutNanos;
    private boolean failed;
    private boolean interimSent;
    private long decoded;
    private ScheduledFuture<?> partialTimer;

    public RequestDecoder(Protocol protocol, int maxFrameBytes, long frameTimeoutNanos) {
        this.protocol = protocol;
        this.maxFrameBytes = maxFrameBytes;
        this.frameTimeoutNanos = frameTimeoutNanos;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        while (in.isReadable()) {
            Object msg;
            try {
                msg = protocol.decodeRequest(in, maxFrameBytes);
            } catch (FrameException e) {
                fail(in, out, e.getMessage());
                return;
            }
            if (msg == null) {
                break;
            }
            if (msg instanceof HttpProtocol.Interim) {
                // Sent now, ahead of the request it belongs to (the client waits for it before sending
                // the body); only when nothing decoded in this pass would have to precede it.
                if (!interimSent && out.isEmpty()) {
                    interimSent = true;
                    ctx.fireChannelRead(msg);
                }
                break;
            }
            interimSent = false;
            decoded++;
            out.add(msg);
        }
        watchPartial(ctx, in.isReadable());
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new LocalReply(protocol.badRequestReply(message), true));
        cancelTimer();
    }

    /** Arms the slowloris timer while an incomplete request is buffered; progress re-arms it. */
    private void watchPartial(ChannelHandlerContext ctx, boolean partial) {
        if (!partial) {
            cancelTimer();
            return;
        }
        if (partialTimer != null) {
            return;
        }
        long mark = decoded;
        partialTimer = ctx.executor().schedule(() -> {
            partialTimer = null;
            if (!failed && decoded == mark && ctx.channel().isActive()) {
                failed = true;
                ctx.fireChannelRead(new LocalReply(protocol.badRequestReply("request not completed within "
                        + TimeUnit.NANOSECONDS.toMillis(frameTimeoutNanos) + " ms (frameTimeout)"), true));
            } else if (!failed && ctx.channel().isActive() && internalBuffer().isReadable()) {
                watchPartial(ctx, true);
            }
        }, frameTimeoutNanos, TimeUnit.NANOSECONDS);
    }

    private void cancelTimer() {
        if (partialTimer != null) {
            partialTimer.cancel(false);
            partialTimer = null;
        }
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        cancelTimer();
        super.channelInactive(ctx);
    }
}

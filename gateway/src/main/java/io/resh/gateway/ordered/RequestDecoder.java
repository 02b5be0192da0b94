package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
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
 * The buffer never holds more than one incomplete request, bounded by {@code maxFrameBytes} (and the read that
 * crossed it).
 *
 * <p>A framer is stateless: it parses an incomplete request from its start again on every read. Parsed on every read,
 * a large request sent a few bytes at a time cost the square of its size (240 KB of empty RESP arguments in 6-byte
 * writes: half a minute of the event loop every client shares). Once an incomplete request has {@value #RESCAN_FLOOR}
 * bytes, it is parsed again only when its bytes have doubled, when one read of the socket (until it had no more) brought
 * an eighth of them or more, or when they paused for a millisecond: a few parses in all for a request that trickles in,
 * while one a client sent whole is parsed as soon as it is read, as before.
 */
public final class RequestDecoder extends ByteToMessageDecoder {
    /** Below this many buffered bytes an incomplete request is parsed again on every read: that costs little. */
    static final int RESCAN_FLOOR = 16 << 10;
    private static final long SETTLE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Protocol protocol;
    private final int maxFrameBytes;
    private final long frameTimeoutNanos;
    private boolean failed;
    private boolean interimSent;
    private long decoded;
    private ScheduledFuture<?> partialTimer;
    /** Parse the incomplete request at the front again once this many bytes are buffered; 0 to parse on every read. */
    private long rescanAt;
    /** The bytes buffered after the last parse. */
    private int parsedBytes;
    /** The bytes buffered when the socket's last read ended. */
    private int readCompleteBytes;
    /** When the last bytes came that were buffered without a parse, on the event loop's clock. */
    private long lastUnparsedNanos;
    private ScheduledFuture<?> settleTimer;
    /** The settle timer re-delivers what is buffered: parse it whatever its size. */
    private boolean settled;

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
        if (in.readableBytes() < rescanAt && !settled) {
            if (in.readableBytes() != parsedBytes) { // else called again for what is left after framed requests
                lastUnparsedNanos = ctx.executor().ticker().nanoTime();
                armSettle(ctx);
            }
            return;
        }
        settled = false;
        rescanAt = 0;
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
        int left = in.readableBytes(); // an incomplete request, if any: all before it were framed
        parsedBytes = left;
        rescanAt = left < RESCAN_FLOOR ? 0 : Math.min(2L * left, (long) maxFrameBytes + 1);
        watchPartial(ctx, left > 0);
    }

    private void fail(ByteBuf in, List<Object> out, String message) {
        failed = true;
        in.skipBytes(in.readableBytes());
        out.add(new LocalReply(protocol.badRequestReply(message), true));
        cancelTimer();
    }

    /** Parses what is buffered once no bytes came for {@link #SETTLE_NANOS}: the client may be waiting for its reply. */
    private void armSettle(ChannelHandlerContext ctx) {
        if (settleTimer == null) {
            settleTimer = ctx.executor().schedule(() -> settle(ctx), SETTLE_NANOS, TimeUnit.NANOSECONDS);
        }
    }

    private void settle(ChannelHandlerContext ctx) {
        settleTimer = null;
        if (failed || rescanAt == 0 || !ctx.channel().isActive()) {
            return;
        }
        long quiet = ctx.executor().ticker().nanoTime() - lastUnparsedNanos;
        if (quiet < SETTLE_NANOS) {
            settleTimer = ctx.executor().schedule(() -> settle(ctx), SETTLE_NANOS - quiet, TimeUnit.NANOSECONDS);
            return;
        }
        settled = true;
        try {
            // As a read of no new bytes: the decoder's own path parses the buffer and passes on what it frames.
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
            channelReadComplete(ctx);
        } catch (Exception e) {
            ctx.fireExceptionCaught(e);
        }
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
        if (settleTimer != null) {
            settleTimer.cancel(false);
            settleTimer = null;
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        int buffered = internalBuffer().readableBytes();
        if (!failed && rescanAt > 0 && buffered > parsedBytes && (buffered - readCompleteBytes) * 8L >= buffered) {
            // A client that sends a request whole has it read in one go: parse it now rather than after the pause.
            settled = true;
            channelRead(ctx, Unpooled.EMPTY_BUFFER);
        }
        readCompleteBytes = internalBuffer().readableBytes();
        super.channelReadComplete(ctx);
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

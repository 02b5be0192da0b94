package io.resh.host.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.TooLongFrameException;
import io.resh.client.ClientProtocol;
import io.resh.core.CompletionCause;
import io.resh.core.FailStopException;
import io.resh.host.ReplicaGroup;
import io.resh.host.ServiceErrorException;
import io.resh.host.UnavailableException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits each request frame to the group and writes the voted reply back with its correlation id.
 * Stops reading from a client with too many requests outstanding until some are answered.
 *
 * <p>Replies are completed on the group's loop thread, which must stay cheap: it only queues the reply
 * and, if no drain is pending, schedules one on this channel's event loop. The drain encodes every
 * queued reply into one buffer and flushes once, so a burst of voted replies costs the group loop one
 * task hand-off and the socket one write, not one of each per reply.
 */
final class RequestHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHandler.class);
    /** Replies encoded into one buffer before it is written (bounds the buffer, not the batch). */
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private final ReplicaGroup group;
    private final int maxRequestBytes;
    private final Queue<Answer> answered = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private int inFlight; // touched only on this channel's event loop
    /** Requests read but not yet submitted, and their correlation ids (this channel's event loop only). */
    private final List<byte[]> pending = new ArrayList<>();
    private final long[] pendingIds = new long[256];

    /** A voted reply or failure waiting to be written. */
    private record Answer(long id, byte status, byte[] payload) {
    }

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
        pendingIds[pending.size()] = id;
        pending.add(payload);
        if (pending.size() == pendingIds.length) {
            submitPending(ctx);
        }
    }

    /** The requests of one read go to the group together: one message to its loop for all of them. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitPending(ctx);
        ctx.fireChannelReadComplete();
    }

    private void submitPending(ChannelHandlerContext ctx) {
        if (pending.isEmpty()) {
            return;
        }
        List<CompletableFuture<byte[]>> replies = group.submitAll(pending);
        for (int i = 0; i < replies.size(); i++) {
            long id = pendingIds[i];
            replies.get(i).whenComplete((reply, error) -> {
                answered.add(error == null ? new Answer(id, ClientProtocol.STATUS_OK, reply) : failure(id, error));
                if (drainScheduled.compareAndSet(false, true)) {
                    ctx.executor().execute(() -> drain(ctx));
                }
            });
        }
        pending.clear();
    }

    private static Answer failure(long id, Throwable error) {
        Throwable cause = CompletionCause.of(error);
        return new Answer(id, statusOf(cause), String.valueOf(cause.getMessage()).getBytes(StandardCharsets.UTF_8));
    }

    /** Writes every queued answer, in as few buffers as the size bound allows, then flushes once. */
    private void drain(ChannelHandlerContext ctx) {
        // Cleared before draining: an answer queued from now on schedules another drain, so none is stranded.
        drainScheduled.set(false);
        Answer a = answered.poll();
        if (a == null) {
            return;
        }
        if (!ctx.channel().isActive()) {
            inFlight = 0;
            answered.clear();
            return;
        }
        ByteBuf batch = ctx.alloc().buffer(Math.min(MAX_BATCH_BYTES, 1024 + ClientProtocol.replyBytes(a.payload().length)));
        int answers = 0;
        while (a != null) {
            int bytes = ClientProtocol.replyBytes(a.payload().length);
            if (batch.isReadable() && batch.readableBytes() + bytes > MAX_BATCH_BYTES) {
                ctx.write(batch);
                batch = ctx.alloc().buffer(Math.min(MAX_BATCH_BYTES, Math.max(bytes, 1024)));
            }
            ClientProtocol.writeReply(batch, a.id(), a.status(), a.payload());
            answers++;
            a = answered.poll();
        }
        ctx.writeAndFlush(batch);
        inFlight -= answers;
        if (inFlight < RequestHandler.limit() / 2 && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
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
            submitPending(ctx);
            ctx.close();
        }
    }

    private void reject(ChannelHandlerContext ctx, String why) {
        submitPending(ctx); // the well-formed requests read before the bad one still run
        LOG.warn("client {}: {}; closing the connection", ctx.channel().remoteAddress(), why);
        ctx.writeAndFlush(ClientProtocol.encodeError(ctx.alloc(), 0, ClientProtocol.STATUS_BAD_REQUEST, why))
                .addListener(f -> ctx.close());
    }
}

package io.resh.host.net;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.TooLongFrameException;
import io.resh.client.ClientProtocol;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Submits each request frame to a {@link RequestSink} and writes its reply back with the request's
 * correlation id. The requests of one socket read go to the sink together, as one batch. Stops reading
 * from a client with too many requests outstanding until some are answered.
 *
 * <p>A malformed or oversized frame ends the connection with one bad-request error (correlation id 0),
 * but only after the requests read before it are answered: a client fails everything still outstanding
 * when it sees that error, so an earlier reply written after it would be lost to the client. Requests
 * sent after the bad frame are dropped unanswered; the error stands for them. After the error the server
 * half-closes and discards what the client still sends until it closes, so a reset cannot destroy the error.
 *
 * <p>Replies may be completed on a thread that must stay cheap (a replica group's loop): completing one
 * only queues it and, if no drain is pending, schedules one on this channel's event loop. The drain
 * encodes every queued reply into one buffer and flushes once, so a burst of replies costs that thread
 * one task hand-off and the socket one write, not one of each per reply.
 */
final class FrontDoorHandler extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger LOG = LoggerFactory.getLogger(FrontDoorHandler.class);
    /** Outstanding requests per connection before the server stops reading from it (backpressure). */
    static final int MAX_IN_FLIGHT_PER_CONNECTION = 4096;
    /** Replies encoded into one buffer before it is written (bounds the buffer, not the batch). */
    private static final int MAX_BATCH_BYTES = 256 * 1024;
    /** Requests handed to the sink at once, even if one read holds more. */
    private static final int MAX_SUBMIT_BATCH = 256;
    /** How long a refused connection is drained, waiting for its client to close, before it is closed. */
    static final int LINGER_SECONDS = 5;

    private final RequestSink sink;
    private final int maxRequestBytes;
    /** Where the limit comes from: a gateway cluster host's is its maxFrameBytes, not a maxRequestBytes. */
    private final String limitSetting;
    private final Queue<Answer> answered = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    // The fields below are touched only on this channel's event loop.
    private int inFlight;
    /** Requests read but not yet submitted, and their correlation ids. */
    private final List<byte[]> pending = new ArrayList<>();
    private final long[] pendingIds = new long[MAX_SUBMIT_BATCH];
    /** Why the connection closes once its outstanding requests are answered; null while it serves. */
    private String refusal;
    /** The client shut down its sending side: answer what it sent, then close. */
    private boolean inputShutdown;

    /** A reply waiting to be written. */
    private record Answer(long id, Reply reply) {
    }

    FrontDoorHandler(RequestSink sink, int maxRequestBytes) {
        this(sink, maxRequestBytes, "maxRequestBytes");
    }

    /** @param limitSetting the setting {@code maxRequestBytes} comes from, named in the refusal of a larger request */
    FrontDoorHandler(RequestSink sink, int maxRequestBytes, String limitSetting) {
        this.sink = sink;
        this.maxRequestBytes = maxRequestBytes;
        this.limitSetting = limitSetting;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
        if (refusal != null) {
            return; // sent after the bad frame: the connection error covers it
        }
        if (frame.readableBytes() < 8) {
            refuse(ctx, "malformed request frame: " + frame.readableBytes()
                    + " bytes after the length field, at least 8 (the correlation id) are required");
            return;
        }
        long id = frame.readLong();
        byte[] payload = new byte[frame.readableBytes()];
        frame.readBytes(payload);
        if (++inFlight >= MAX_IN_FLIGHT_PER_CONNECTION) {
            ctx.channel().config().setAutoRead(false);
        }
        pendingIds[pending.size()] = id;
        pending.add(payload);
        if (pending.size() == pendingIds.length) {
            submitPending(ctx);
        }
    }

    /** The requests of one read go to the sink together: for a replica group, one message to its loop. */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitPending(ctx);
        ctx.fireChannelReadComplete();
    }

    private void submitPending(ChannelHandlerContext ctx) {
        if (pending.isEmpty()) {
            return;
        }
        List<CompletableFuture<Reply>> replies = sink.submitAll(pending);
        for (int i = 0; i < replies.size(); i++) {
            long id = pendingIds[i];
            replies.get(i).whenComplete((reply, error) -> {
                answered.add(new Answer(id, error == null ? reply : Reply.failure(error)));
                if (drainScheduled.compareAndSet(false, true)) {
                    ctx.executor().execute(() -> drain(ctx));
                }
            });
        }
        pending.clear();
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
        ByteBuf batch = ctx.alloc().buffer(Math.min(MAX_BATCH_BYTES, 1024 + ClientProtocol.replyBytes(a.reply().payload().length)));
        int answers = 0;
        while (a != null) {
            Reply r = a.reply();
            int bytes = ClientProtocol.replyBytes(r.payload().length);
            if (batch.isReadable() && batch.readableBytes() + bytes > MAX_BATCH_BYTES) {
                ctx.write(batch);
                batch = ctx.alloc().buffer(Math.min(MAX_BATCH_BYTES, Math.max(bytes, 1024)));
            }
            ClientProtocol.writeReply(batch, a.id(), r.status(), r.payload());
            answers++;
            a = answered.poll();
        }
        ChannelFuture written = ctx.writeAndFlush(batch);
        inFlight -= answers;
        if (refusal != null) {
            if (inFlight == 0) {
                closeWithRefusal(ctx);
            }
        } else if (inputShutdown) {
            if (inFlight == 0) {
                written.addListener(ChannelFutureListener.CLOSE); // once the last answer is out, not before
            }
        } else if (inFlight < MAX_IN_FLIGHT_PER_CONNECTION / 2 && !ctx.channel().config().isAutoRead()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * A client that shuts down its sending side after its requests ({@code shutdown(SHUT_WR)}, {@code nc -N})
     * still gets their replies: the channel allows half-closure, and closes once they are all written.
     */
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof ChannelInputShutdownEvent) {
            inputShutdown = true;
            if (refusal != null) {
                if (ctx.channel() instanceof SocketChannel socket && socket.isOutputShutdown()) {
                    ctx.close(); // the error is out and the client is done: no reset can destroy it now
                }
            } else {
                submitPending(ctx);
                if (inFlight == 0) {
                    ctx.close();
                }
            }
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            refuse(ctx, "request frame exceeds the limit of " + maxRequestBytes + " bytes (" + limitSetting + ")");
        } else {
            LOG.debug("client {}: {}", ctx.channel().remoteAddress(), cause.toString());
            submitPending(ctx);
            ctx.close();
        }
    }

    /** Takes no more requests; the error goes out once the well-formed ones read before the bad one are answered. */
    private void refuse(ChannelHandlerContext ctx, String why) {
        if (refusal != null) {
            return;
        }
        refusal = why;
        // Reads on only to discard: a socket closed with unread bytes sends a reset, which can destroy the
        // replies and the error still on their way to the client.
        ctx.channel().config().setAutoRead(true);
        submitPending(ctx);
        LOG.warn("client {}: {}; closing the connection", ctx.channel().remoteAddress(), why);
        if (inFlight == 0) {
            closeWithRefusal(ctx);
        }
    }

    /**
     * Writes the error, then ends this side of the connection (FIN) and reads on, discarding, until the client
     * closes or {@value #LINGER_SECONDS} s pass. Closing at once with the client's later bytes unread would send a
     * reset, and a reset makes the client's kernel drop the error before the client reads it.
     */
    private void closeWithRefusal(ChannelHandlerContext ctx) {
        ctx.writeAndFlush(ClientProtocol.encodeError(ctx.alloc(), 0, ClientProtocol.STATUS_BAD_REQUEST, refusal))
                .addListener(written -> {
                    if (!written.isSuccess() || !(ctx.channel() instanceof SocketChannel socket)) {
                        ctx.close();
                        return;
                    }
                    socket.shutdownOutput().addListener(f -> {
                        if (!f.isSuccess() || inputShutdown) {
                            ctx.close(); // nothing left to discard once the client has closed its side
                        }
                    });
                    ScheduledFuture<?> deadline = ctx.executor().schedule(() -> ctx.close(), LINGER_SECONDS, TimeUnit.SECONDS);
                    ctx.channel().closeFuture().addListener(f -> deadline.cancel(false));
                });
    }
}

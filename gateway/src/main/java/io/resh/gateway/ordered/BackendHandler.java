package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.resh.core.FaultKind;
import io.resh.gateway.protocol.FrameException;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import io.resh.gateway.server.ServerProcess;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Frames one replica's replies on one connection and hands each to the multiplexer as soon as it is
 * complete. The framer needs to know which request a reply answers (a memcached {@code get} and
 * {@code set} are answered differently), and the multiplexer knows: replies come back in request order.
 */
final class BackendHandler extends ByteToMessageDecoder {
    /** A server that closes this many fresh connections in a row, at once and answering nothing, is faulty. */
    private static final int MAX_PROMPT_CLOSES = 3;

    private final OrderedMultiplexer mux;
    private final Protocol protocol;
    private final int maxReplyBytes;
    private final TcpBackendLink link;
    private final ServerProcess process;
    private final Runnable reconnect;
    private boolean lost;
    /** The I/O error that preceded the close, for the evidence; null if the server just closed. */
    private String ioFailure;

    /** @param reconnect opens a new connection for {@code link} (used when the server closed an idle one) */
    BackendHandler(OrderedMultiplexer mux, Protocol protocol, int maxReplyBytes, TcpBackendLink link,
                   ServerProcess process, Runnable reconnect) {
        this.mux = mux;
        this.protocol = protocol;
        this.maxReplyBytes = maxReplyBytes;
        this.link = link;
        this.process = process;
        this.reconnect = reconnect;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        while (in.isReadable()) {
            if (!mux.isCurrent(link) || lost) {
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
            if (mux.votesInPlace(request, length)) { // never closes the connection: verbatim replies don't
                link.answered();
                mux.onReply(link, in.readRetainedSlice(length));
                continue;
            }
            byte[] reply = new byte[length];
            in.readBytes(reply);
            link.answered();
            if (protocol.closesConnection(request, reply)) {
                // The server no longer reads this connection: writes are held from now on, what it owes goes
                // again on a new one, and this connection's close is expected, not a fault.
                lost = true;
                link.closeAnnounced();
                in.skipBytes(in.readableBytes());
                mux.onReply(link, reply);
                ctx.close(); // not waiting for the server's close: one that lingers would look hung
                if (mux.isCurrent(link) && !link.isClosed()) {
                    reconnect.run();
                }
                return;
            }
            mux.onReply(link, reply);
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        connectionLost(ctx, ioFailure == null ? "closed its connection to the gateway" : "connection failed: " + ioFailure);
        super.channelInactive(ctx);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof IOException && ctx.channel().isActive()) {
            // A failed read closes the channel itself; after a failed write (the server reset the connection
            // while we wrote) the replies it sent before the reset are still to be read. Either way
            // channelInactive reports the loss, after every reply that arrived.
            ioFailure = cause.getMessage();
            return;
        }
        connectionLost(ctx, "connection failed: " + cause.getMessage());
        ctx.close();
    }

    /**
     * The connection is gone. Writes are held at once; then, after a short grace period (a killed
     * server's sockets close a moment before its exit can be observed): a dead process is a crash; a
     * live one that owed replies broke its protocol; a live one that owed nothing just closed an idle
     * connection, and gets a new one.
     */
    private void connectionLost(ChannelHandlerContext ctx, String why) {
        if (lost || link.isClosed() || !mux.isCurrent(link) || link.channel() != ctx.channel()) {
            return;
        }
        lost = true;
        boolean idle = mux.expected(link) == null;
        link.reconnecting();
        process.onExit().completeOnTimeout(null, TcpBackends.EXIT_GRACE_MILLIS, TimeUnit.MILLISECONDS).thenRun(() -> ctx.executor().execute(() -> {
            if (!mux.isCurrent(link)) {
                return;
            }
            if (!process.isAlive()) {
                mux.onLinkFailed(link, FaultKind.CRASH, "process " + process.pid() + " " + process.exitDescription());
            } else if (!idle) {
                mux.onLinkFailed(link, FaultKind.PROTOCOL, why + " while it owed replies");
            } else if (link.promptCloses() >= MAX_PROMPT_CLOSES) {
                mux.onLinkFailed(link, FaultKind.PROTOCOL, why + " right after accepting it, " + MAX_PROMPT_CLOSES
                        + " times in a row");
            } else {
                reconnect.run();
            }
        }));
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            mux.onWritable(link);
        }
        ctx.fireChannelWritabilityChanged();
    }
}

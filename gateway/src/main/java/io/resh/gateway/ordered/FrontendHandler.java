package io.resh.gateway.ordered;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.resh.core.CompletionCause;
import io.resh.gateway.Sequencer;
import io.resh.gateway.protocol.HttpProtocol;
import io.resh.gateway.protocol.LocalReply;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.protocol.Request;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection in ordered mode. Auto-read is off: the next read is requested only when the
 * client's socket can take our replies, the client has fewer than {@link #MAX_OUTSTANDING} requests
 * open, and the multiplexer has room, so a fast or stalled client never makes the gateway buffer
 * without bound.
 */
public final class FrontendHandler extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrontendHandler.class);
    /** Requests one client may have open at once (pipelining depth), for fairness between clients. */
    static final int MAX_OUTSTANDING = 256;

    private final OrderedMultiplexer mux;
    private final Sequencer sequencer;
    private final Protocol protocol;
    private final AtomicInteger clients;
    private final int maxClients;
    private ClientSession session;
    private ChannelHandlerContext ctx;
    private boolean parked;
    /** Whether this connection counts against maxClients: a refused one does not. */
    private boolean counted;

    /**
     * @param sequencer orders requests outside the gateway (a cluster's log), or null to hand them to
     *     {@code mux} directly
     */
    public FrontendHandler(OrderedMultiplexer mux, Sequencer sequencer, Protocol protocol, AtomicInteger clients,
                           int maxClients) {
        this.mux = mux;
        this.sequencer = sequencer;
        this.protocol = protocol;
        this.clients = clients;
        this.maxClients = maxClients;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (clients.incrementAndGet() > maxClients) {
            // Not a client: its socket lingers up to ClientSession.LINGER_SECONDS to deliver the error, and counted
            // meanwhile it kept out the next client after one left, and showed in status as one more than allowed.
            clients.decrementAndGet();
            ctx.writeAndFlush(Unpooled.wrappedBuffer(protocol.errorReply("max number of clients reached ("
                    + maxClients + ")"))).addListener(f -> ClientSession.closeAfterLastReply(ctx.channel()));
            return;
        }
        counted = true;
        session = new ClientSession(ctx.channel(), this::maybeRead);
        ctx.read();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (session == null || session.closing()) {
            return;
        }
        if (msg instanceof Request r) {
            if (sequencer == null) {
                mux.submit(r, session.expect(r));
            } else {
                order(r, session.expect(r));
            }
        } else if (msg instanceof LocalReply l) {
            session.local(l);
        } else if (msg instanceof HttpProtocol.Interim i) {
            session.interim(i.bytes());
        }
    }

    private void order(Request r, ReplySlot slot) {
        CompletableFuture<byte[]> ordered;
        try {
            ordered = sequencer.order(r);
        } catch (RuntimeException e) {
            ordered = CompletableFuture.failedFuture(e);
        }
        ordered.whenComplete((reply, error) -> ctx.channel().eventLoop().execute(() -> slot.fill(reply != null ? reply
                : protocol.errorReply(messageOf(error)))));
    }

    private static String messageOf(Throwable error) {
        Throwable t = CompletionCause.of(error);
        return t == null || t.getMessage() == null ? "the request could not be ordered; retry" : t.getMessage();
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        maybeRead();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        maybeRead();
        ctx.fireChannelWritabilityChanged();
    }

    /** Asks for more bytes if the client, its socket and the replicas can all take more. */
    private void maybeRead() {
        if (session == null || session.closing() || !ctx.channel().isActive()) {
            return;
        }
        if (!ctx.channel().isWritable() || session.outstanding() >= MAX_OUTSTANDING) {
            return; // writability or a written reply calls us again
        }
        if (sequencer == null && !mux.hasCapacity()) { // with a sequencer, the log applies back pressure
            if (!parked) {
                parked = true;
                mux.awaitCapacity(() -> {
                    parked = false;
                    maybeRead();
                });
            }
            return;
        }
        ctx.read();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (counted) {
            clients.decrementAndGet();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.warn("closing client {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }
}

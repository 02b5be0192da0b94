package io.resh.gateway.stream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.resh.core.FaultKind;
import io.resh.core.Quorum;
import io.resh.core.StreamVoter;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.server.ServerProcess;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection in stream mode and its one connection per replica. Client bytes are copied
 * to every replica; replica bytes go through a {@link StreamVoter} and the client receives what f+1
 * of them agree on, as soon as they agree.
 *
 * <p>Flow control: the client is read only while every replica connection can take more; a replica
 * is read only while the client can take more and the replica is less than {@link #LAG_LIMIT} bytes
 * ahead of the slowest one, which bounds what the voter holds. Every channel here is registered on the
 * client's event loop, so nothing is shared across threads.
 */
public final class StreamSession extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(StreamSession.class);
    static final long LAG_LIMIT = 1 << 20;
    /**
     * How long a replica's lone end of stream waits to see whether its process is exiting (system property
     * {@value #EXIT_GRACE_PROPERTY}, milliseconds, default 250): a killed server's sockets close a moment
     * before its exit is observable, and a dead replica is out, not a vote.
     */
    public static final String EXIT_GRACE_PROPERTY = "resh.gateway.exitGraceMillis";
    private final long exitGraceMillis = Long.getLong(EXIT_GRACE_PROPERTY, 250);

    private final StreamBackends backends;
    private final ServerGroup group;
    private final Quorum quorum;
    private final long deadlineNanos;
    private final AtomicInteger clients;
    private final int maxClients;
    private ChannelHandlerContext ctx;
    private StreamVoter voter;
    private Channel[] channels;
    private ServerProcess[] processes;
    private boolean[] out;
    private long[] behindSince;
    /** Where each replica's stream ended (bytes received), or -1 while it goes on. */
    private long[] endedAt;
    /** Whether a replica's end has been given to the voter (it may wait for the exit grace first). */
    private boolean[] endVoted;
    private int connecting;
    private boolean ready;
    private boolean finished;
    /** The client left; lagging replicas are still read up to what was released, to be compared. */
    private boolean clientGone;
    /** f+1 replicas agreed on the end and the client's connection is being closed. */
    private boolean endSent;
    /** When a tick first saw the session over (client gone or end agreed), or 0; laggards get {@code deadline} more. */
    private long overSince;
    /** Why the session is over, for a laggard's hang evidence. */
    private String overBecause;

    public StreamSession(StreamBackends backends, ServerGroup group, Quorum quorum, long deadlineNanos,
                         AtomicInteger clients, int maxClients) {
        this.backends = backends;
        this.group = group;
        this.quorum = quorum;
        this.deadlineNanos = deadlineNanos;
        this.clients = clients;
        this.maxClients = maxClients;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (clients.incrementAndGet() > maxClients) {
            LOG.debug("refusing client {}: maxClients ({}) reached", ctx.channel().remoteAddress(), maxClients);
            ctx.close();
            return;
        }
        int n = quorum.replicas();
        processes = backends.snapshot();
        channels = new Channel[n];
        out = new boolean[n];
        behindSince = new long[n];
        endedAt = new long[n];
        Arrays.fill(endedAt, -1);
        endVoted = new boolean[n];
        voter = new StreamVoter(quorum);
        int live = 0;
        for (ServerProcess p : processes) {
            live += p == null ? 0 : 1;
        }
        if (live < quorum.agreementNeeded()) {
            LOG.warn("refusing client {}: only {} of {} replicas are healthy", ctx.channel().remoteAddress(), live, n);
            ctx.close();
            return;
        }
        for (int i = 0; i < n; i++) {
            if (processes[i] == null) {
                out[i] = true;
                voter.exclude(i);
            } else {
                connect(i);
            }
        }
    }

    private void connect(int i) {
        connecting++;
        ServerProcess p = processes[i];
        Bootstrap b = new Bootstrap().group(ctx.channel().eventLoop()).channel(NioSocketChannel.class)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                .handler(new ReplicaSide(i));
        b.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), p.port())).addListener(f -> {
            connecting--;
            if (f.isSuccess()) {
                p.accepted();
                channels[i] = ((io.netty.channel.ChannelFuture) f).channel();
                if (finished) {
                    channels[i].close();
                }
            } else if (!out[i]) {
                drop(i);
                group.fault(i, p.incarnation(), FaultKind.PROTOCOL, 0, p.connectFailure(f.cause()));
            }
            if (connecting == 0 && !finished) {
                ready = true;
                backends.register(this);
                readReplicas();
                readClient();
                settle();
            }
        });
    }

    // ---- client side -------------------------------------------------------------------------------

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ByteBuf buf = (ByteBuf) msg;
        try {
            for (int i = 0; i < channels.length; i++) {
                if (!out[i] && channels[i] != null) {
                    channels[i].writeAndFlush(buf.retainedDuplicate(), channels[i].voidPromise());
                }
            }
        } finally {
            buf.release();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readClient();
    }

    private void readClient() {
        if (!ready || finished) {
            return;
        }
        for (int i = 0; i < channels.length; i++) {
            if (!out[i] && channels[i] != null && !channels[i].isWritable()) {
                return; // that replica's writability change calls us again
            }
        }
        ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            // The client half-closed: pass its EOF on, some services answer only then.
            for (int i = 0; i < channels.length; i++) {
                if (!out[i] && channels[i] instanceof SocketChannel s) {
                    s.shutdownOutput();
                }
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        readReplicas();
        ctx.fireChannelWritabilityChanged();
    }

    /**
     * The client left (or f+1 replicas agreed on the end, which closes the client). Replicas that have
     * not yet sent everything f+1 others sent are still read up to that point, and after an agreed end
     * up to their own end of stream (or until the deadline makes them hung), so that a slow replica's
     * late bytes, its early end or its bytes past the end are compared too, as in ordered mode; then
     * every replica connection is closed.
     */
    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        clients.decrementAndGet();
        clientGone = true;
        if (!ready || nothingOwed()) {
            finish();
        } else {
            readReplicas();
        }
        ctx.fireChannelInactive();
    }

    /**
     * True once no replica still in the vote owes anything: each has sent every released byte and,
     * after an agreed end, has ended its stream too (where it ended is the voter's to judge).
     */
    private boolean nothingOwed() {
        for (int i = 0; i < channels.length; i++) {
            if (!out[i] && channels[i] != null && (behind(i) || (voter.endAgreed() && !endVoted[i]))) {
                return false;
            }
        }
        return true;
    }

    private boolean behind(int i) {
        return voter.received(i) < voter.released();
    }

    /** Sent every byte of an agreed end but has not ended its stream: it owes its end of stream. */
    private boolean owesEnd(int i) {
        return voter.endAgreed() && endedAt[i] < 0 && !behind(i);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!(cause instanceof IOException)) {
            LOG.warn("closing client {}: {}", ctx.channel().remoteAddress(), cause.toString());
        }
        ctx.close();
    }

    // ---- replica side ------------------------------------------------------------------------------

    private void readReplicas() {
        if (!ready || finished) {
            return;
        }
        for (int i = 0; i < channels.length; i++) {
            readReplica(i);
        }
    }

    private void readReplica(int i) {
        // Once the session is over nothing more goes to the client, so its writability does not matter.
        boolean clientCanTake = clientGone || voter.endAgreed() || ctx.channel().isWritable();
        if (!out[i] && channels[i] != null && channels[i].isActive() && clientCanTake
                && voter.received(i) - voter.slowestReceived() < LAG_LIMIT) {
            channels[i].read();
        }
    }

    private final class ReplicaSide extends ChannelInboundHandlerAdapter {
        private final int slot;
        private boolean ended;

        ReplicaSide(int slot) {
            this.slot = slot;
        }

        @Override
        public void channelRead(ChannelHandlerContext rctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            try {
                if (out[slot] || finished) {
                    return;
                }
                behindSince[slot] = 0;
                byte[] bytes = ByteBufUtil.getBytes(buf);
                deliver(voter.append(slot, bytes, 0, bytes.length));
            } finally {
                buf.release();
            }
            settle();
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext rctx) {
            readReplica(slot);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext rctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                ended(rctx);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext rctx) {
            ended(rctx);
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext rctx) {
            readClient();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext rctx, Throwable cause) {
            ended(rctx);
            rctx.close();
        }

        /**
         * The replica's stream ended. When f+1 replicas ended at the same byte, their end is voted at once.
         * Otherwise it waits up to the exit grace ({@link #EXIT_GRACE_PROPERTY}): if its process died (or is
         * dying) it is simply out; otherwise its EOF is voted on.
         */
        private void ended(ChannelHandlerContext rctx) {
            if (ended || out[slot] || finished) {
                return;
            }
            ended = true;
            long at = voter.received(slot);
            endedAt[slot] = at;
            if (endsAt(at) >= quorum.agreementNeeded()) {
                // f+1 streams ended at the same byte: that end stands whether or not one of their processes
                // is dying (two faulty replicas are outside the fault model), so nobody waits for the grace.
                for (int k = 0; k < endedAt.length; k++) {
                    if (endedAt[k] == at && !endVoted[k] && !out[k]) {
                        voteEnd(k);
                    }
                }
                settle();
                return;
            }
            ServerProcess p = processes[slot];
            p.onExit().completeOnTimeout(null, exitGraceMillis, TimeUnit.MILLISECONDS).thenRun(() -> rctx.executor().execute(() -> {
                if (out[slot] || finished || endVoted[slot]) {
                    return;
                }
                if (!p.isAlive()) {
                    drop(slot);
                } else {
                    voteEnd(slot);
                }
                settle();
            }));
        }
    }

    /** Replicas still in the vote whose stream ended at byte {@code at}. */
    private int endsAt(long at) {
        int n = 0;
        for (int k = 0; k < endedAt.length; k++) {
            if (endedAt[k] == at && !out[k]) {
                n++;
            }
        }
        return n;
    }

    private void voteEnd(int slot) {
        endVoted[slot] = true;
        deliver(voter.end(slot));
    }

    // ---- voting outcome ----------------------------------------------------------------------------

    private void deliver(byte[] released) {
        if (released.length > 0 && !clientGone) {
            ctx.writeAndFlush(Unpooled.wrappedBuffer(released));
            readReplicas(); // the slowest may have caught up: lagging-limited replicas can go on
        }
    }

    /** Acts on what the last event changed: divergent replicas, an agreed end, an undecidable stream. */
    private void settle() {
        if (finished || voter == null) {
            return;
        }
        List<String> undecided = new ArrayList<>();
        for (StreamVoter.Divergence d : voter.takeDivergences()) {
            if (voter.undecidable()) {
                undecided.add(d.description());
                continue;
            }
            int i = d.replica();
            if (!out[i]) {
                drop(i);
                group.fault(i, processes[i].incarnation(), FaultKind.DIVERGENCE, 0, d.description());
            }
        }
        if (!undecided.isEmpty()) {
            // One line for the one connection closed: a line per differing replica read as that many closes.
            LOG.warn("closing client {}: no {} replicas agree on its stream: {}", ctx.channel().remoteAddress(),
                    quorum.agreementNeeded(), String.join("; ", undecided));
        }
        if (voter.undecidable()) {
            ctx.close();
            finish();
            return;
        }
        if (voter.endAgreed() && !endSent) {
            endSent = true;
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            readReplicas();
        }
        // An agreed end is the client's answer, not the end of the comparison: a replica that lags
        // it still owes the released bytes and its own end of stream (a corrupted tail, an early end,
        // bytes past the end or a hang to report). The voter keeps none of those bytes past the end.
        if ((voter.endAgreed() || clientGone) && nothingOwed()) {
            finish();
        }
    }

    /** The replica failed elsewhere (its process is being replaced): stop voting with it here. */
    void exclude(int slot) {
        if (channels != null && !out[slot]) {
            drop(slot);
            settle();
        }
    }

    private void drop(int i) {
        out[i] = true;
        voter.exclude(i);
        if (channels[i] != null) {
            channels[i].close();
        }
        readReplicas();
    }

    /**
     * Hang detection: a replica that owes released bytes and sends none for longer than the deadline, or
     * that still owes released bytes or (after an agreed end) its end of stream a deadline after the
     * session was over. The second rule bounds how long a finished session keeps its replica sockets.
     */
    void tick(long now) {
        if (!ready || finished) {
            return;
        }
        if (overSince == 0 && (clientGone || voter.endAgreed())) {
            overSince = now;
            overBecause = voter.endAgreed() ? "f+1 replicas ended the stream" : "the client left";
        }
        for (int i = 0; i < channels.length; i++) {
            // A replica whose stream ended is not hung: its end is voted on (or it is dropped) after the exit grace.
            if (out[i] || endedAt[i] >= 0 || !(behind(i) || owesEnd(i))) {
                behindSince[i] = 0;
                continue;
            }
            if (behindSince[i] == 0) {
                behindSince[i] = now;
            }
            boolean stalled = now - behindSince[i] > deadlineNanos;
            boolean overdue = overSince != 0 && now - overSince > deadlineNanos;
            if (stalled || overdue) {
                String evidence = hangEvidence(i, now, stalled);
                int incarnation = processes[i].incarnation();
                drop(i);
                group.fault(i, incarnation, FaultKind.HANG, 0, evidence);
                settle();
                if (finished) {
                    return;
                }
            }
        }
    }

    private String hangEvidence(int i, long now, boolean stalled) {
        long millis = TimeUnit.NANOSECONDS.toMillis(now - (stalled ? behindSince[i] : overSince));
        if (!behind(i)) {
            return "sent the " + voter.released() + " bytes f+1 replicas ended their streams at, but has not ended its"
                    + " stream " + millis + " ms later";
        }
        long behind = voter.released() - voter.received(i);
        return "still " + behind + " bytes behind the released stream " + millis + " ms after "
                + (stalled ? "f+1 replicas sent them" : overBecause);
    }

    private void finish() {
        if (finished) {
            return;
        }
        finished = true;
        backends.unregister(this);
        if (channels != null) {
            for (Channel c : channels) {
                if (c != null) {
                    c.close();
                }
            }
        }
    }
}

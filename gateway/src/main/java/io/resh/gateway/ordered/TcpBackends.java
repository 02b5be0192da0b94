package io.resh.gateway.ordered;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.resh.core.FaultKind;
import io.resh.gateway.protocol.Protocol;
import io.resh.gateway.server.ServerGroup;
import io.resh.gateway.server.ServerProcess;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Connects the multiplexer to each started replica over one TCP connection (re-opened if the server
 * closes it while idle). The backend channels are registered on the same event loop as the
 * multiplexer and the client channels, which is what lets the multiplexer run without locks.
 */
public final class TcpBackends implements ServerGroup.Engine {
    private static final Logger LOG = LoggerFactory.getLogger(TcpBackends.class);

    private final EventLoop loop;
    private final OrderedMultiplexer mux;
    private final Protocol protocol;
    private final int maxReplyBytes;
    /** How long after a replica's exit its connection gets to report the crash (see {@link #exited}). */
    static final long EXIT_GRACE_MILLIS = 250;

    private final ServerGroup group;
    /** Each replica's current link (its latest start's), for a crash seen as its process's exit. */
    private final TcpBackendLink[] links;

    public TcpBackends(EventLoop loop, OrderedMultiplexer mux, Protocol protocol, int maxReplyBytes, ServerGroup group,
                       int replicas) {
        this.loop = loop;
        this.mux = mux;
        this.protocol = protocol;
        this.maxReplyBytes = maxReplyBytes;
        this.group = group;
        this.links = new TcpBackendLink[replicas];
    }

    @Override
    public void attach(int slot, ServerProcess process) {
        TcpBackendLink link = new TcpBackendLink(slot, protocol.mayCloseAfterReply());
        links[slot] = link;
        connect(link, process).addListener(done -> {
            if (links[slot] != link) {
                // The process was replaced while this connect was under way: what it found is about the old one.
                link.close();
            } else if (done.isSuccess()) {
                process.accepted();
                mux.attach(link, process.startedFrom());
            } else {
                group.fault(slot, FaultKind.START_FAILURE, mux.sequenced(), process.connectFailure(done.cause()));
            }
        });
    }

    private void reconnect(TcpBackendLink link, ServerProcess process) {
        LOG.debug("replica {} closed an idle connection; opening a new one", link.slot());
        connect(link, process).addListener(done -> {
            if (!done.isSuccess() && mux.isCurrent(link)) {
                mux.onLinkFailed(link, FaultKind.PROTOCOL, "closed its connection and refused a new one: "
                        + done.cause().getMessage());
            }
        });
    }

    private ChannelFuture connect(TcpBackendLink link, ServerProcess process) {
        Bootstrap b = new Bootstrap()
                .group(loop)
                .channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 5000)
                // A write the server reset (it closed with requests unread) must not close the connection before
                // the replies it sent ahead of the reset are read: the close is left to the read side.
                .option(ChannelOption.AUTO_CLOSE, false)
                .option(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(256 * 1024, 1024 * 1024))
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new BackendHandler(mux, protocol, maxReplyBytes, link, process,
                                () -> reconnect(link, process)));
                    }
                });
        ChannelFuture f = b.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), process.port()));
        f.addListener(done -> {
            if (done.isSuccess()) {
                link.bind(f.channel());
                mux.onWritable(link);
            }
        });
        return f;
    }

    @Override
    public void detach(int slot) {
        mux.detach(slot);
    }

    /**
     * The connection's close, read after every reply the server sent before it died, is what tells the
     * request it died on (see {@link BackendHandler}); the exit may be seen a moment before those last
     * bytes are read. So the exit is reported itself only if the connection has not reported the crash
     * {@link #EXIT_GRACE_MILLIS} later (a descendant may still hold the socket open).
     */
    @Override
    public void exited(int slot, String evidence) {
        TcpBackendLink link = links[slot];
        if (link == null || !mux.isCurrent(link)) {
            group.faultWhileIdle(slot, FaultKind.CRASH, mux.sequenced(), evidence); // not connected yet: it owed nothing
            return;
        }
        loop.schedule(() -> mux.onLinkFailed(link, FaultKind.CRASH, evidence), EXIT_GRACE_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public boolean canRebuild() {
        return mux.replayLog() == null || !mux.replayLog().overflowed();
    }
}

package io.resh.host.net;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.Future;
import io.resh.core.ReshException;
import io.resh.host.ReplicaGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * resh's TCP front door: reads {@link io.resh.client.ClientProtocol} requests and answers each with what
 * a {@link RequestSink} replies, usually a replica group. A request over the size limit, or too short to
 * hold its correlation id, is answered with a bad-request error and its connection is closed once the
 * requests read before it are answered; other connections are unaffected.
 */
public final class ReshServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ReshServer.class);
    /** How long {@link #close} waits for each step. */
    private static final int CLOSE_WAIT_SECONDS = 5;
    // Named, so that jstack, top -H and perf say what these threads are (Netty's default names do not).
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
            new DefaultThreadFactory("resh-frontdoor-accept"), NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2,
            new DefaultThreadFactory("resh-frontdoor-io"), NioIoHandler.newFactory());
    private final Channel serverChannel;

    private ReshServer(RequestSink sink, int maxRequestBytes, String limitSetting, String host, int port) {
        // The decoder counts the 4-byte length field in its limit, then the correlation id: requests of the last
        // 4 bytes up to maxRequestBytes were refused as over the limit when this was maxRequestBytes + 8.
        int maxFrame = 4 + 8 + maxRequestBytes;
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                // a client's FIN ends its requests, not its replies (FrontDoorHandler closes once they are out)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true),
                                new LengthFieldBasedFrameDecoder(maxFrame, 0, 4, 0, 4, true),
                                new FrontDoorHandler(sink, maxRequestBytes, limitSetting));
                    }
                });
        try {
            this.serverChannel = b.bind(host, port).syncUninterruptibly().channel();
        } catch (Exception e) { // bind() rethrows the socket's checked exceptions (BindException) undeclared
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            // An unresolvable name fails with an UnresolvedAddressException, which has no message at all.
            String why = e instanceof java.nio.channels.UnresolvedAddressException ? "unknown host"
                    : e.getMessage() != null ? e.getMessage() : e.toString();
            throw new ReshException("cannot listen for clients on " + host + ":" + port + ": " + why, e);
        }
    }

    /** Binds {@code host:port} (port 0 = any free port) and serves {@code group}; see {@link #serve}. */
    public static ReshServer start(ReplicaGroup group, String host, int port) {
        return serve(new GroupSink(group), group.config().maxRequestBytes(), host, port);
    }

    /**
     * Binds {@code host:port} (port 0 = any free port) and hands every request to {@code sink}.
     *
     * @param maxRequestBytes the largest request a client may send, not counting its length field and
     *                        correlation id
     * @throws ReshException if it cannot listen there
     */
    public static ReshServer serve(RequestSink sink, int maxRequestBytes, String host, int port) {
        return serve(sink, maxRequestBytes, "maxRequestBytes", host, port);
    }

    /**
     * As {@link #serve(RequestSink, int, String, int)}, naming {@code limitSetting} as where {@code maxRequestBytes}
     * comes from when a larger request is refused.
     */
    public static ReshServer serve(RequestSink sink, int maxRequestBytes, String limitSetting, String host, int port) {
        return new ReshServer(sink, maxRequestBytes, limitSetting, host, port);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String host() {
        return ((InetSocketAddress) serverChannel.localAddress()).getHostString();
    }

    /**
     * Stops listening and stops the network threads, waiting at most a few seconds for them: a thread blocked in
     * the sink (a call that never returns) would otherwise keep the caller, and so a stopping {@code resh
     * serve}, waiting for good. Such a thread is left behind, with a warning.
     */
    @Override
    public void close() {
        serverChannel.close().awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS);
        Future<?> bossDone = boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        Future<?> workersDone = workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        if (!bossDone.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)
                || !workersDone.awaitUninterruptibly(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
            LOG.warn("front door: a network thread did not stop within {} s (blocked in a request's hand-off);"
                    + " left behind", CLOSE_WAIT_SECONDS);
        }
    }
}

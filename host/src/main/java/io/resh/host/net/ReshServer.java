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
import io.resh.host.ReplicaGroup;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Serves a replica group over TCP. Requests larger than the group's {@code maxRequestBytes} are
 * answered with a bad-request error and the connection is closed; other connections are unaffected.
 */
public final class ReshServer implements AutoCloseable {
    /** Outstanding requests per connection before the server stops reading from it (backpressure). */
    static final int MAX_IN_FLIGHT_PER_CONNECTION = 4096;

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel serverChannel;

    private ReshServer(ReplicaGroup group, String host, int port) {
        int maxFrame = group.config().maxRequestBytes() + 8;
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true),
                                new LengthFieldBasedFrameDecoder(maxFrame, 0, 4, 0, 4, true),
                                new RequestHandler(group, maxFrame - 8));
                    }
                });
        this.serverChannel = b.bind(host, port).syncUninterruptibly().channel();
    }

    /** Binds {@code host:port} (port 0 = any free port) and serves {@code group}. */
    public static ReshServer start(ReplicaGroup group, String host, int port) {
        return new ReshServer(group, host, port);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    public String host() {
        return ((InetSocketAddress) serverChannel.localAddress()).getHostString();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

package io.resh.cluster;

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
import io.resh.core.ReshException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * A cluster host's TCP front door: speaks {@link io.resh.client.ClientProtocol} (so {@code ReshClient}
 * works unchanged) and puts every request through the Raft log. On a follower the request is forwarded
 * to the leader; with no leader the client gets {@code STATUS_UNAVAILABLE} and should retry.
 */
final class ClusterFrontDoor implements AutoCloseable {
    static final int MAX_IN_FLIGHT_PER_CONNECTION = 4096;

    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final Channel serverChannel;

    private ClusterFrontDoor(ClusterNode node, String host, int port, int maxRequestBytes) {
        int maxFrame = maxRequestBytes + 8 + Envelope.HEADER;
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true),
                                new LengthFieldBasedFrameDecoder(maxFrame, 0, 4, 0, 4, true),
                                new ClusterRequestHandler(node, maxFrame - 8));
                    }
                });
        try {
            this.serverChannel = b.bind(host, port).syncUninterruptibly().channel();
        } catch (RuntimeException e) {
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw new ReshException("cannot listen for clients on " + host + ":" + port + ": " + e.getMessage(), e);
        }
    }

    static ClusterFrontDoor start(ClusterNode node, String host, int port, int maxRequestBytes) {
        return new ClusterFrontDoor(node, host, port, maxRequestBytes);
    }

    int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    String host() {
        return ((InetSocketAddress) serverChannel.localAddress()).getHostString();
    }

    @Override
    public void close() {
        serverChannel.close().syncUninterruptibly();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

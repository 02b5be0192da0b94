package io.resh.admin;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateHandler;

/** Builds each admin connection's pipeline: optional TLS, HTTP/1.1, a bounded body, the handler. */
final class AdminInitializer extends ChannelInitializer<SocketChannel> {
    /** Admin calls carry a few hundred bytes of JSON; anything much larger is not a real client. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    private static final int IDLE_SECONDS = 120;

    private final SslContext ssl;
    private final AdminHandler handler;
    private final ChannelGroup connections;

    AdminInitializer(SslContext ssl, AdminHandler handler, ChannelGroup connections) {
        this.ssl = ssl;
        this.handler = handler;
        this.connections = connections;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        connections.add(ch);
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast(ssl.newHandler(ch.alloc()));
        }
        p.addLast(new IdleStateHandler(0, 0, IDLE_SECONDS));
        p.addLast(new HttpServerCodec(8192, 16 * 1024, 8192));
        p.addLast(new BoundedAggregator(MAX_BODY_BYTES));
        p.addLast(handler);
    }
}

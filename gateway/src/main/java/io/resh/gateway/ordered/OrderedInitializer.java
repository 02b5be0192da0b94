package io.resh.gateway.ordered;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.resh.gateway.Sequencer;
import io.resh.gateway.protocol.Protocol;
import java.util.concurrent.atomic.AtomicInteger;

/** The pipeline of one ordered-mode client connection: frame requests, then hand them to the multiplexer. */
public final class OrderedInitializer extends ChannelInitializer<Channel> {
    private final OrderedMultiplexer mux;
    private final Sequencer sequencer;
    private final Protocol protocol;
    private final int maxFrameBytes;
    private final long frameTimeoutNanos;
    private final AtomicInteger clients;
    private final int maxClients;

    /** @param sequencer orders requests outside the gateway, or null to order them here */
    public OrderedInitializer(OrderedMultiplexer mux, Sequencer sequencer, Protocol protocol, int maxFrameBytes, long frameTimeoutNanos,
                              AtomicInteger clients, int maxClients) {
        this.mux = mux;
        this.sequencer = sequencer;
        this.protocol = protocol;
        this.maxFrameBytes = maxFrameBytes;
        this.frameTimeoutNanos = frameTimeoutNanos;
        this.clients = clients;
        this.maxClients = maxClients;
    }

    @Override
    protected void initChannel(Channel ch) {
        ch.pipeline().addLast(new RequestDecoder(protocol, maxFrameBytes, frameTimeoutNanos),
                new FrontendHandler(mux, sequencer, protocol, clients, maxClients));
    }
}

package io.resh.client;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.CorruptedFrameException;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Client of a resh group's TCP front door. Thread-safe; many requests may be outstanding at once on
 * its one connection (pipelined, matched by correlation id).
 *
 * <pre>{@code
 * try (ReshClient client = ReshClient.connect("127.0.0.1", 7400)) {
 *     byte[] reply = client.call(request, Duration.ofSeconds(5));
 * }
 * }</pre>
 *
 * Given several hosts, it connects to the first that accepts and moves to the next when the connection
 * fails; requests outstanding on a failed connection fail with an {@link IOException} cause, since the
 * client can't know whether they were applied.
 */
public final class ReshClient implements AutoCloseable {
    /** Requests encoded into one buffer before it is written (bounds the buffer, not the batch). */
    private static final int MAX_BATCH_BYTES = 256 * 1024;

    private final List<InetSocketAddress> hosts;
    private final int maxReplyBytes;
    private final EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("resh-client-io"),
            NioIoHandler.newFactory());
    private final Map<Long, CompletableFuture<byte[]>> pending = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final Queue<Outgoing> outgoing = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile Channel channel;
    private volatile int hostIndex;
    /** A reply frame came on some connection: a timeout then means a slow group, not a server of another protocol. */
    private volatile boolean answered;

    private ReshClient(List<InetSocketAddress> hosts, int maxReplyBytes) {
        if (hosts.isEmpty()) {
            throw new IllegalArgumentException("no hosts given");
        }
        this.hosts = List.copyOf(hosts);
        this.maxReplyBytes = maxReplyBytes;
    }

    public static ReshClient connect(String host, int port) {
        return connect(List.of(new InetSocketAddress(host, port)));
    }

    /** Connects to the first of {@code hosts} that accepts. */
    public static ReshClient connect(List<InetSocketAddress> hosts) {
        ReshClient c = new ReshClient(hosts, 64 << 20);
        c.ensureConnected();
        return c;
    }

    /** The host this client is connected to now. */
    public InetSocketAddress currentHost() {
        return hosts.get(hostIndex);
    }

    /**
     * Sends a request; the future completes with the voted reply or a {@link ReshRemoteException}.
     *
     * <p>Requests sent while the connection's event loop is busy are queued and written together, in
     * one buffer and one flush (the caller's thread only queues and, at most once per batch, wakes
     * the event loop).
     */
    public CompletableFuture<byte[]> send(byte[] request) {
        CompletableFuture<byte[]> reply = new CompletableFuture<>();
        Channel ch;
        try {
            ch = ensureConnected();
        } catch (UncheckedIOException e) {
            reply.completeExceptionally(e.getCause());
            return reply;
        }
        long id = ids.incrementAndGet();
        pending.put(id, reply);
        outgoing.add(new Outgoing(id, request));
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                ch.eventLoop().execute(() -> drain(ch));
            } catch (RejectedExecutionException closed) {
                drainScheduled.set(false);
                for (Outgoing o; (o = outgoing.poll()) != null; ) {
                    CompletableFuture<byte[]> p = pending.remove(o.id());
                    if (p != null) {
                        p.completeExceptionally(new IOException("the client is closed"));
                    }
                }
            }
        }
        return reply;
    }

    /** A request queued for the next batch. */
    private record Outgoing(long id, byte[] payload) {
    }

    /** On the event loop: writes every queued request, in buffers of at most {@value #MAX_BATCH_BYTES} bytes, and flushes once. */
    private void drain(Channel ch) {
        // Cleared before draining: a request queued from now on schedules another drain, so none is stranded.
        drainScheduled.set(false);
        Outgoing o = outgoing.poll();
        if (o == null) {
            return;
        }
        ByteBuf batch = null;
        List<Long> ids = new ArrayList<>();
        while (o != null) {
            int bytes = ClientProtocol.requestBytes(o.payload().length);
            if (batch != null && batch.readableBytes() + bytes > MAX_BATCH_BYTES) {
                write(ch, batch, ids);
                batch = null;
                ids = new ArrayList<>();
            }
            if (batch == null) {
                batch = ch.alloc().buffer(Math.min(MAX_BATCH_BYTES, Math.max(bytes, 4096)));
            }
            ClientProtocol.writeRequest(batch, o.id(), o.payload());
            ids.add(o.id());
            o = outgoing.poll();
        }
        write(ch, batch, ids);
        ch.flush();
    }

    private void write(Channel ch, ByteBuf batch, List<Long> ids) {
        ch.write(batch).addListener(f -> {
            if (!f.isSuccess()) {
                for (long id : ids) {
                    CompletableFuture<byte[]> p = pending.remove(id);
                    if (p != null) {
                        p.completeExceptionally(new IOException("send failed: " + f.cause().getMessage(), f.cause()));
                    }
                }
            }
        });
    }

    /** Sends and waits; a remote error is rethrown as {@link ReshRemoteException}. */
    public byte[] call(byte[] request, Duration timeout) {
        try {
            return send(request).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new UncheckedIOException(e.getCause() instanceof IOException io ? io : new IOException(e.getCause()));
        } catch (TimeoutException e) {
            throw new UncheckedIOException(new IOException("no reply within " + timeout.toMillis() + " ms"
                    + (answered ? "" : "; " + hostAndPort(currentHost()) + " has sent no reply on this connection:"
                            + " is it resh's front door? (a server of another protocol may wait for more; a paused"
                            + " or overloaded host accepts connections but answers nothing)")));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException(new IOException("interrupted"));
        }
    }

    public String call(String request, Duration timeout) {
        return new String(call(request.getBytes(StandardCharsets.UTF_8), timeout), StandardCharsets.UTF_8);
    }

    private static String hostAndPort(InetSocketAddress addr) {
        return addr.getHostString() + ":" + addr.getPort();
    }

    /** Netty's connect errors end with the address, which the caller's message already names. */
    private static String reason(Exception e, InetSocketAddress addr) {
        if (e instanceof UnknownHostException || e instanceof UnresolvedAddressException
                || addr.isUnresolved()) {
            return "unknown host"; // the JDK's message is only the name itself
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String suffix = ": " + addr;
        return m.endsWith(suffix) ? m.substring(0, m.length() - suffix.length()) : m;
    }

    private synchronized Channel ensureConnected() {
        Channel ch = channel;
        if (ch != null && ch.isActive()) {
            return ch;
        }
        List<String> failures = new ArrayList<>();
        for (int k = 0; k < hosts.size(); k++) {
            int idx = (hostIndex + k) % hosts.size();
            InetSocketAddress addr = hosts.get(idx);
            try {
                ch = bootstrap().connect(addr).syncUninterruptibly().channel();
                hostIndex = idx;
                channel = ch;
                ch.closeFuture().addListener(f -> failPending(new IOException("connection to " + hostAndPort(addr)
                        + " closed; the outcome of this request is unknown")));
                return ch;
            } catch (Exception e) {
                failures.add(hostAndPort(addr) + ": " + reason(e, addr));
            }
        }
        throw new UncheckedIOException(new IOException(hosts.size() == 1 ? "cannot connect to " + failures.get(0)
                : "cannot connect to any resh host: " + String.join("; ", failures)));
    }

    private void failPending(IOException lost) {
        for (Long id : List.copyOf(pending.keySet())) {
            CompletableFuture<byte[]> p = pending.remove(id);
            if (p != null) {
                p.completeExceptionally(lost);
            }
        }
    }

    private Bootstrap bootstrap() {
        return new Bootstrap().group(loop).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new FlushConsolidationHandler(256, true),
                                new ReplyFrames(maxReplyBytes + 16), new ReplyHandler());
                    }
                });
    }

    /**
     * Splits the stream into replies, keeping the last length field read: bytes that are not a reply are then
     * described by what they began with ("HTTP" read as a length of 1213486164), not by Netty's wording.
     */
    private static final class ReplyFrames extends LengthFieldBasedFrameDecoder {
        private final int maxFrameBytes;
        private int lastLengthField;

        ReplyFrames(int maxFrameBytes) {
            super(maxFrameBytes, 0, 4, 0, 4);
            this.maxFrameBytes = maxFrameBytes;
        }

        @Override
        protected long getUnadjustedFrameLength(ByteBuf buf, int offset, int length, ByteOrder order) {
            lastLengthField = buf.getInt(offset);
            return super.getUnadjustedFrameLength(buf, offset, length, order);
        }

        /** Why the bytes just read are no reply frame, for a decoder's {@code error}. */
        String why(Throwable error) {
            String head = "they begin with " + text(lastLengthField);
            long length = Integer.toUnsignedLong(lastLengthField);
            if (error instanceof TooLongFrameException) {
                return head + ", which read as a reply length is " + length + " bytes, over the limit of "
                        + maxFrameBytes;
            }
            if (error instanceof CorruptedFrameException) {
                return head + ", which read as a reply length is " + lastLengthField + " bytes";
            }
            return String.valueOf(error.getMessage());
        }

        /** Four bytes as printable ASCII text when they are, else as hex. */
        private static String text(int fourBytes) {
            byte[] b = {(byte) (fourBytes >>> 24), (byte) (fourBytes >>> 16), (byte) (fourBytes >>> 8), (byte) fourBytes};
            for (byte x : b) {
                if (x < 0x20 || x > 0x7e) {
                    return "0x" + java.util.HexFormat.of().formatHex(b);
                }
            }
            return "\"" + new String(b, StandardCharsets.US_ASCII) + "\"";
        }
    }

    /** Matches replies to pending requests by correlation id. */
    private final class ReplyHandler extends SimpleChannelInboundHandler<ByteBuf> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf frame) {
            if (frame.readableBytes() < 9) {
                // A length field with too few bytes after it for a reply's header: another protocol's bytes.
                notAReply(ctx, "a reply of " + frame.readableBytes() + " bytes, shorter than the 9 of a reply's header",
                        null);
                return;
            }
            if (!answered) {
                answered = true;
            }
            long id = frame.readLong();
            byte status = frame.readByte();
            byte[] payload = new byte[frame.readableBytes()];
            frame.readBytes(payload);
            CompletableFuture<byte[]> p = pending.remove(id);
            if (p == null) {
                if (id == 0 && status != ClientProtocol.STATUS_OK) {
                    // A connection-level error (bad request): the server closes the connection next.
                    ReshRemoteException err = new ReshRemoteException(status, new String(payload, StandardCharsets.UTF_8));
                    for (Long k : List.copyOf(pending.keySet())) {
                        CompletableFuture<byte[]> q = pending.remove(k);
                        if (q != null) {
                            q.completeExceptionally(err);
                        }
                    }
                }
                return;
            }
            if (status == ClientProtocol.STATUS_OK) {
                p.complete(payload);
            } else {
                p.completeExceptionally(new ReshRemoteException(status, new String(payload, StandardCharsets.UTF_8)));
            }
        }

        /**
         * Bytes that are not a reply frame (a length over the limit, a frame too short for its header): the peer
         * does not speak resh's client protocol, often because the port is another server's. Said so, instead of
         * only "connection closed; the outcome of this request is unknown". A socket error is only a lost
         * connection.
         */
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? hostAndPort(a) : "the server";
            if (cause instanceof IOException) {
                // The socket failed (a reset: the server was killed, or closed with requests unread): no bytes were
                // judged, so nothing says the peer speaks another protocol.
                failPending(new IOException("connection to " + peer + " lost (" + cause.getMessage()
                        + "); the outcome of this request is unknown", cause));
            } else {
                ReplyFrames frames = ctx.pipeline().get(ReplyFrames.class);
                notAReply(ctx, frames != null ? frames.why(cause) : String.valueOf(cause.getMessage()), cause);
                return;
            }
            ctx.close();
        }

        private void notAReply(ChannelHandlerContext ctx, String why, Throwable cause) {
            String peer = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? hostAndPort(a) : "the server";
            failPending(new IOException(peer + " answered with bytes that are not a resh reply (" + why
                    + "); is it resh's front door?", cause));
            ctx.close();
        }
    }

    @Override
    public void close() {
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}

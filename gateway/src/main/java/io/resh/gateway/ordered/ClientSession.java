package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.socket.SocketChannel;
import io.resh.gateway.protocol.LocalReply;
import io.resh.gateway.protocol.Request;
import java.util.ArrayDeque;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One TCP client's replies, kept in the order of its requests: a reply that is decided early waits
 * until every earlier one of the same client has been written.
 *
 * <p>Replies released in one burst are copied into one direct buffer and leave in one channel write
 * and one flush, not one write per reply.
 */
final class ClientSession {
    private final Channel channel;
    private final Runnable onProgress;
    private final ArrayDeque<Entry> queue = new ArrayDeque<>();
    private boolean closing;
    private boolean flushScheduled;
    /** Replies in order, not yet handed to the channel; null when none. */
    private final WriteBatch batch = new WriteBatch();

    private final class Entry implements ReplySlot {
        final boolean silent;
        final boolean close;
        /** The reply, as bytes or (a large voted reply) as a buffer this entry owns; neither until filled. */
        byte[] bytes;
        ByteBuf held;
        /** Taken out of the queue unwritten (the connection is closing): a reply that still comes is let go. */
        boolean dropped;

        Entry(boolean silent, boolean close) {
            this.silent = silent;
            this.close = close;
        }

        boolean filled() {
            return bytes != null || held != null;
        }

        @Override
        public void fill(byte[] reply) {
            if (!filled()) {
                bytes = reply;
                drain();
            }
        }

        @Override
        public void fill(ByteBuf reply) {
            if (filled() || dropped) {
                reply.release();
                return;
            }
            held = reply;
            drain();
        }

        /** Writes the reply into the batch, or lets it go if it is not for the client. */
        void write() {
            if (held != null) {
                ByteBuf b = held;
                held = null;
                if (silent) {
                    b.release();
                } else {
                    batch.add(channel, b);
                }
            } else if (!silent && bytes.length > 0) {
                batch.add(channel, bytes);
            }
        }

        void drop() {
            dropped = true;
            if (held != null) {
                held.release();
                held = null;
            }
        }
    }

    /** How long a connection that got its last reply is drained before it is closed anyway. */
    static final long LINGER_SECONDS = 5;

    /**
     * Ends a client connection whose last reply has been flushed (an error that closes it, a reply to a
     * request that asked to close) without losing that reply. Closing a socket with unread bytes in its
     * receive buffer (the rest of an oversized request, a pipeline sent behind it) makes the kernel send a
     * reset, and a reset can destroy replies still on their way to the client. So the gateway sends FIN
     * after the reply and reads and discards whatever the client still sends, until it closes its side
     * or {@value #LINGER_SECONDS} s have passed.
     */
    static void closeAfterLastReply(Channel channel) {
        if (!(channel instanceof SocketChannel socket) || !channel.isActive()) {
            channel.close();
            return;
        }
        socket.shutdownOutput().addListener(f -> {
            if (!f.isSuccess()) {
                channel.close();
            }
        });
        ScheduledFuture<?> deadline = channel.eventLoop().schedule(() -> channel.close(), LINGER_SECONDS, TimeUnit.SECONDS);
        channel.closeFuture().addListener(f -> deadline.cancel(false)); // HTTP closes a connection per request
        channel.config().setAutoRead(true); // the decoder discards after an error; the handler ignores the rest
    }

    /** @param onProgress runs after replies were written (the client may be read again) */
    ClientSession(Channel channel, Runnable onProgress) {
        this.channel = channel;
        this.onProgress = onProgress;
    }

    /** Reserves this request's place in the reply order. */
    ReplySlot expect(Request request) {
        Entry e = new Entry(request.silent(), request.closeAfter());
        queue.addLast(e);
        return e;
    }

    /** A reply the gateway gives itself, in order after every earlier request's. */
    void local(LocalReply reply) {
        Entry e = new Entry(false, reply.close());
        queue.addLast(e);
        if (reply.close()) {
            closing = true;
        }
        e.fill(reply.bytes());
    }

    /** A reply that must go out now, before earlier replies (HTTP 100 Continue); only if none is owed. */
    void interim(byte[] bytes) {
        if (queue.isEmpty() && !closing) {
            batch.handTo(channel);
            channel.writeAndFlush(Unpooled.wrappedBuffer(bytes));
        }
    }

    int outstanding() {
        return queue.size();
    }

    /** True once a reply that closes the connection has been queued: read nothing more. */
    boolean closing() {
        return closing;
    }

    private void drain() {
        boolean wrote = false;
        while (!queue.isEmpty() && queue.peekFirst().filled()) {
            Entry e = queue.pollFirst();
            if (!e.silent && (e.held != null || e.bytes.length > 0)) {
                wrote = true;
            }
            e.write();
            if (e.close) {
                closing = true;
                queue.forEach(Entry::drop);
                queue.clear();
                batch.handTo(channel);
                channel.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> closeAfterLastReply(channel));
                return;
            }
        }
        if (wrote && !flushScheduled) {
            // Replies decided in one burst (a pipelined batch) leave in one write system call.
            flushScheduled = true;
            channel.eventLoop().execute(this::flush);
        }
        onProgress.run();
    }

    private void flush() {
        flushScheduled = false;
        batch.handTo(channel);
        channel.flush();
    }
}

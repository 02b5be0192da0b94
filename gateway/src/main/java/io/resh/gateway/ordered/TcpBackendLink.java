package io.resh.gateway.ordered;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.resh.gateway.protocol.Protocol;
import java.util.ArrayDeque;

/**
 * A {@link BackendLink} over a TCP connection to a replica that survives the server closing an idle
 * connection (an HTTP keep-alive timeout, say): while a new connection is opened, requests are held
 * in order and written as soon as it is up. A replica owes nothing on an idle connection and the
 * gateway keeps no per-connection state in the server, so nothing is lost.
 *
 * <p>Requests are copied into one direct buffer per connection and handed to the channel as one
 * message when flushed (or when the buffer reaches {@link WriteBatch#BATCH_BYTES}): a pipelined burst of small
 * requests then costs one channel write instead of one per request, each of which would take an
 * outbound-buffer entry and a heap-to-direct copy.
 */
final class TcpBackendLink implements BackendLink {
    private final int slot;
    private final ArrayDeque<byte[]> held = new ArrayDeque<>();
    /**
     * Requests written (or held) and not answered yet, oldest first: what to send again when the server
     * announced that it closes the connection after a reply, without reading what was pipelined behind it.
     */
    private final ArrayDeque<byte[]> unanswered = new ArrayDeque<>();
    private Channel channel;
    /** Requests written since the last flush, not yet handed to the channel; null when none. */
    private final WriteBatch batch = new WriteBatch();
    private boolean reconnecting;
    private boolean closed;
    /** A connection closed this soon after it was opened, without a reply, counts as refused. */
    private static final long PROMPT_CLOSE_NANOS = 100_000_000L;
    /** Connections in a row the server closed promptly without answering (a server that refuses them all is faulty). */
    private int promptCloses;
    private long boundAtNanos;
    private boolean answeredOnThisConnection;

    /** Whether this server's protocol may end a connection after a reply, so that unanswered requests are kept. */
    private final boolean keepUnanswered;

    /** @param keepUnanswered the protocol may announce a close ({@link Protocol#mayCloseAfterReply()}) */
    TcpBackendLink(int slot, boolean keepUnanswered) {
        this.slot = slot;
        this.keepUnanswered = keepUnanswered;
    }

    /** The (new) connection is up: write what was held meanwhile. */
    void bind(Channel ch) {
        channel = ch;
        reconnecting = false;
        boundAtNanos = System.nanoTime();
        answeredOnThisConnection = false;
        if (closed) {
            ch.close();
            return;
        }
        while (!held.isEmpty()) {
            ch.write(Unpooled.wrappedBuffer(held.pollFirst()), ch.voidPromise());
        }
        ch.flush();
    }

    /** The connection is gone and another may be opened: hold writes until then. */
    void reconnecting() {
        batch.drop();
        reconnecting = true;
        boolean prompt = System.nanoTime() - boundAtNanos < PROMPT_CLOSE_NANOS && !answeredOnThisConnection;
        promptCloses = prompt ? promptCloses + 1 : 0;
    }

    /**
     * The server said the connection ends after its last reply: hold writes, and send every request it still
     * owes again on the next connection, since it never read them. Not a refusal: it answered on this one.
     */
    void closeAnnounced() {
        reconnecting();
        held.clear();
        held.addAll(unanswered);
    }

    void answered() {
        answeredOnThisConnection = true;
        if (keepUnanswered) {
            unanswered.pollFirst();
        }
    }

    /** How many connections in a row the server closed right after accepting them, answering nothing. */
    int promptCloses() {
        return promptCloses;
    }

    boolean isClosed() {
        return closed;
    }

    Channel channel() {
        return channel;
    }

    @Override
    public int slot() {
        return slot;
    }

    @Override
    public boolean isWritable() {
        return !reconnecting && channel.isWritable();
    }

    @Override
    public void write(byte[] bytes) {
        if (keepUnanswered) { // only where a close can leave requests unread: not a deque operation per request of every protocol
            unanswered.addLast(bytes);
        }
        if (reconnecting) {
            held.addLast(bytes);
            return;
        }
        batch.add(channel, bytes);
    }

    @Override
    public void flush() {
        if (!reconnecting) {
            batch.handTo(channel);
            channel.flush();
        }
    }

    @Override
    public void close() {
        closed = true;
        batch.drop();
        held.clear();
        unanswered.clear();
        if (channel != null) {
            channel.close();
        }
    }
}

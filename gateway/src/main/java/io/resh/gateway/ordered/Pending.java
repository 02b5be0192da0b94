package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.resh.core.Ballot;
import io.resh.core.Quorum;
import io.resh.gateway.protocol.Request;
import java.nio.ByteBuffer;

/** One request sent to the replicas and not yet answered by all of them. Owned by the multiplexer's thread. */
final class Pending {
    final long seq;
    final Request request;
    final ReplySlot reply;
    final Ballot ballot;
    final long sentNanos;
    /** Original (uncanonicalized) replies, kept until the vote is decided; one is released. */
    final byte[][] originals;
    /** Replicas this request was sent to and still in the vote. */
    int sent;
    /** Replicas (among {@link #sent}) that answered. */
    int answered;
    /** Some replica answered, even one taken out of the vote since (whose bit {@link #answered} lost). */
    boolean everAnswered;
    long decidedNanos = -1;
    /** The client got its answer (voted or error). */
    boolean replied;
    boolean retired;
    /** Set when f+1 replicas failed at it before any answered: what its client is told instead of "too few answered". */
    String failure;
    /** Dropped from the replay log as a request of death while a replica still owed it. */
    boolean skipped;
    /**
     * The distinct large replies to this request, held in the buffers they were read into (see
     * {@link OrderedMultiplexer#onReply(BackendLink, ByteBuf)}); null until one arrives. Released on retirement.
     */
    private ByteBuf[] held;
    private int heldCount;

    Pending(long seq, Request request, ReplySlot reply, Quorum quorum, int sent, long sentNanos) {
        this.seq = seq;
        this.request = request;
        this.reply = reply;
        this.ballot = new Ballot(quorum);
        this.originals = new byte[quorum.replicas()][];
        this.sent = sent;
        this.sentNanos = sentNanos;
    }

    int expected() {
        return Integer.bitCount(sent);
    }

    /** Every replica still in the vote has answered. */
    boolean allAnswered() {
        return (sent & ~answered) == 0;
    }

    /**
     * Keeps {@code reply} (taking over its reference) unless an equal reply is already held, and returns what
     * stands for it in the ballot: equal replies get the same token, different ones different tokens.
     */
    byte[] hold(ByteBuf reply) {
        for (int k = 0; k < heldCount; k++) {
            if (same(held[k], reply)) {
                reply.release();
                return token(k);
            }
        }
        if (held == null) {
            held = new ByteBuf[originals.length];
        }
        held[heldCount] = reply;
        return token(heldCount++);
    }

    /** Compares through NIO views where it can: {@code ByteBuffer.mismatch} is vectorized, {@code ByteBufUtil.equals} reads longs. */
    static boolean same(ByteBuf a, ByteBuf b) {
        if (a.readableBytes() != b.readableBytes()) {
            return false;
        }
        if (a.nioBufferCount() == 1 && b.nioBufferCount() == 1) {
            return a.nioBuffer().mismatch(b.nioBuffer()) < 0;
        }
        return ByteBufUtil.equals(a, b);
    }

    /**
     * The held reply a ballot token stands for, or null if {@code cast} is a reply voted as bytes. (The loop that
     * owns this request made its tokens, so it sees them in {@code TOKENS} without the lock.)
     */
    ByteBuf heldFor(byte[] cast) {
        for (int k = 0; k < heldCount; k++) {
            if (cast == TOKENS[k]) {
                return held[k];
            }
        }
        return null;
    }

    /** A cast reply's bytes, for evidence: a token's held reply where it lies, a reply voted as bytes wrapped. */
    ByteBuffer bytesOf(byte[] cast) {
        ByteBuf buf = heldFor(cast);
        return buf == null ? ByteBuffer.wrap(cast) : buf.nioBuffer();
    }

    /** Lets go of every held reply; the client's copy of the released one has its own reference. */
    void releaseHeld() {
        for (int k = 0; k < heldCount; k++) {
            held[k].release();
            held[k] = null;
        }
        heldCount = 0;
    }

    /**
     * Ballot stand-ins for held replies, one per distinct reply of a request. Each is as long as the shortest
     * reply that is held, so none equals a reply voted as bytes (those are all shorter: which way a reply goes
     * depends only on its request and its length); they differ from each other in their first byte, where the
     * comparison of two different tokens stops. Shared by every request and never written.
     */
    private static final byte[][] TOKENS = new byte[Integer.SIZE][];

    /** Locked because several gateways' loops may make tokens; cheap beside comparing the replies it stands for. */
    private static byte[] token(int k) {
        synchronized (TOKENS) {
            if (TOKENS[k] == null) {
                TOKENS[k] = new byte[OrderedMultiplexer.IN_PLACE_REPLY_BYTES];
                TOKENS[k][0] = (byte) k;
            }
            return TOKENS[k];
        }
    }

    /** Replicas that still owe an answer. */
    int missing() {
        return sent & ~answered;
    }
}

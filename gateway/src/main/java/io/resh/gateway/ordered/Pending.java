package io.resh.gateway.ordered;

import io.netty.buffer.ByteBuf;
import io.resh.core.Ballot;
import io.resh.core.Quorum;
import io.resh.gateway.protocol.Request;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** One request sent to the replicas and not yet answered by all of them. Owned by the multiplexer's thread. */
final class Pending {
    /** Reads a byte[] eight bytes at a time, in the byte order of {@link ByteBuf#getLong}. */
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
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
    long decidedNanos = -1;
    /** The client got its answer (voted or error). */
    boolean replied;
    boolean retired;

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
     * A reply already cast on this ballot whose bytes equal the {@code length} bytes at {@code in}'s
     * reader index, or null. Lets a reply that agrees be cast as the same array, without a copy.
     */
    byte[] castEqualTo(ByteBuf in, int length) {
        byte[] decided = ballot.decided();
        if (decided != null) {
            return sameBytes(in, length, decided) ? decided : null;
        }
        for (int i = 0; i < originals.length; i++) {
            byte[] r = ballot.replyOf(i);
            if (r != null && sameBytes(in, length, r)) {
                return r;
            }
        }
        return null;
    }

    private static boolean sameBytes(ByteBuf in, int length, byte[] b) {
        if (b.length != length) {
            return false;
        }
        int at = in.readerIndex();
        int k = 0;
        for (; k + 8 <= length; k += 8) {
            if (in.getLong(at + k) != (long) LONGS.get(b, k)) {
                return false;
            }
        }
        for (; k < length; k++) {
            if (in.getByte(at + k) != b[k]) {
                return false;
            }
        }
        return true;
    }

    /** Replicas that still owe an answer. */
    int missing() {
        return sent & ~answered;
    }
}

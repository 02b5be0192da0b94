package io.resh.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Votes on N replicas' byte streams (a program's stdout, a server's reply stream) and releases the
 * longest prefix on which {@link Quorum#agreementNeeded()} replicas agree, as soon as they agree.
 * Not thread-safe: one owner feeds every replica's bytes, in any interleaving and chunking.
 *
 * <p>A replica whose bytes depart from the released prefix, whose stream ends before the released
 * length, or that continues past an agreed end is reported once as a {@link Divergence} (with the
 * byte offset and a short snippet of expected and actual bytes) and ignored from then on. With DMR,
 * or when no value can reach the quorum any more, the voter becomes {@link #undecidable()}: the
 * disagreement is reported but nobody is blamed, and nothing more is released.
 *
 * <p>Memory is bounded by lag, not by stream length: each replica's bytes beyond the released
 * prefix are kept until they are released, and released bytes are kept only until every live
 * replica has confirmed them. {@link #retainedHighWater()} reports the peak.
 */
public final class StreamVoter {

    /** How many bytes of expected and actual data a divergence shows. */
    static final int SNIPPET = 16;
    private static final byte[] EMPTY = new byte[0];
    private static final HexFormat HEX = HexFormat.of();

    private final int replicas;
    private final int needed;
    /** Per replica: its bytes at offsets [released, received), not yet released. */
    private final ByteQueue[] pending;
    private final long[] received;
    private final boolean[] ended;
    private final boolean[] faulty;
    private final boolean[] excluded;
    /** Length of the common prefix of two replicas' pending bytes, as far as compared. */
    private final int[][] agree;
    /** True once two replicas' pending bytes are known to differ at {@code agree}. */
    private final boolean[][] split;
    /** Released bytes at offsets [tailBase, released) that some live replica has not yet sent. */
    private final ByteQueue tail = new ByteQueue();
    private long tailBase;
    private long released;
    private boolean endAgreed;
    private boolean undecidable;
    private long highWater;
    private final boolean[] reported;
    private final List<Divergence> divergences = new ArrayList<>();

    /** One replica departed from the voted stream (or, when undecidable, from another replica). */
    public record Divergence(int replica, long offset, String expectedHex, String actualHex, String description) {
    }

    public StreamVoter(Quorum quorum) {
        this.replicas = quorum.replicas();
        this.needed = quorum.agreementNeeded();
        this.pending = new ByteQueue[replicas];
        for (int i = 0; i < replicas; i++) {
            pending[i] = new ByteQueue();
        }
        this.received = new long[replicas];
        this.ended = new boolean[replicas];
        this.faulty = new boolean[replicas];
        this.excluded = new boolean[replicas];
        this.reported = new boolean[replicas];
        this.agree = new int[replicas][replicas];
        this.split = new boolean[replicas][replicas];
    }

    /**
     * Appends bytes replica {@code replica} produced.
     *
     * @return the bytes newly released to the client (maybe empty), in stream order
     * @throws IllegalStateException if the replica's stream already ended
     */
    public byte[] append(int replica, byte[] data, int off, int len) {
        checkReplica(replica);
        java.util.Objects.checkFromIndexSize(off, len, data.length);
        if (ended[replica] && !faulty[replica] && !excluded[replica]) {
            throw new IllegalStateException("replica " + replica + " appended after its stream ended");
        }
        if (len == 0 || !live(replica)) {
            received[replica] += len;
            return EMPTY;
        }
        long start = received[replica];
        received[replica] += len;
        if (undecidable) {
            return EMPTY;
        }
        int o = off;
        int l = len;
        if (start < released) {
            int confirm = (int) Math.min(l, released - start);
            int from = (int) (start - tailBase);
            int mismatch = Arrays.mismatch(tail.buf, tail.head + from, tail.head + from + confirm, data, o, o + confirm);
            if (mismatch >= 0) {
                int at = from + mismatch;
                diverge(replica, start + mismatch, tail.copy(at, Math.min(SNIPPET, tail.size - at)),
                        Arrays.copyOfRange(data, o + mismatch, o + Math.min(l, mismatch + SNIPPET)),
                        "differs from the voted output");
                settle();
                return EMPTY;
            }
            o += confirm;
            l -= confirm;
        }
        if (l > 0) {
            if (endAgreed) {
                diverge(replica, released, EMPTY, Arrays.copyOfRange(data, o, o + Math.min(l, SNIPPET)),
                        "continues past the agreed end");
                settle();
                return EMPTY;
            }
            pending[replica].append(data, o, l);
            compareWithOthers(replica);
        }
        byte[] out = release();
        settle();
        return out;
    }

    /** Replica {@code replica}'s stream ended (EOF). Returns newly released bytes, if any. */
    public byte[] end(int replica) {
        checkReplica(replica);
        if (!live(replica) || ended[replica]) {
            ended[replica] = true;
            return EMPTY;
        }
        ended[replica] = true;
        if (!undecidable && received[replica] < released) {
            int at = (int) (received[replica] - tailBase);
            diverge(replica, received[replica], tail.copy(at, Math.min(SNIPPET, tail.size - at)), EMPTY,
                    "ended early");
        }
        settle();
        return EMPTY;
    }

    /** The replica is out (dead, killed, timed out): it no longer counts toward agreement. */
    public void exclude(int replica) {
        checkReplica(replica);
        if (excluded[replica]) {
            return;
        }
        excluded[replica] = true;
        forget(replica);
        settle();
    }

    /** Total bytes released so far. */
    public long released() {
        return released;
    }

    /** True once {@link Quorum#agreementNeeded()} replicas ended exactly at {@link #released()}. */
    public boolean endAgreed() {
        return endAgreed;
    }

    /** True once no continuation of the streams can reach agreement (e.g. DMR streams differ). */
    public boolean undecidable() {
        return undecidable;
    }

    /** True once the stream's outcome is final: its end was agreed, or it is undecidable. */
    public boolean settled() {
        return endAgreed || undecidable;
    }

    /** New divergences since the last call, in the order they were found. */
    public List<Divergence> takeDivergences() {
        List<Divergence> out = List.copyOf(divergences);
        divergences.clear();
        return out;
    }

    /** True if the replica was reported divergent (it is ignored from then on). */
    public boolean isFaulty(int replica) {
        checkReplica(replica);
        return faulty[replica];
    }

    /** How many bytes the replica has sent so far. */
    public long received(int replica) {
        checkReplica(replica);
        return received[replica];
    }

    /**
     * The fewest bytes any replica still voting has sent (at most {@link #released()}): how far the
     * slowest one lags. Callers use it to hold back replicas that run too far ahead.
     */
    public long slowestReceived() {
        return tailBase;
    }

    /** Bytes held right now (unreleased bytes of every replica, released bytes not yet confirmed). */
    public long retainedBytes() {
        long sum = tail.size;
        for (ByteQueue q : pending) {
            sum += q.size;
        }
        return sum;
    }

    /** The most bytes ever held at once. */
    public long retainedHighWater() {
        return highWater;
    }

    private boolean live(int r) {
        return !faulty[r] && !excluded[r];
    }

    private void checkReplica(int replica) {
        if (replica < 0 || replica >= replicas) {
            throw new IllegalArgumentException("replica " + replica + " is not in a group of " + replicas);
        }
    }

    /** Extends replica r's known common prefix with every other live replica. */
    private void compareWithOthers(int r) {
        ByteQueue mine = pending[r];
        for (int s = 0; s < replicas; s++) {
            if (s == r || !live(s) || split[r][s]) {
                continue;
            }
            ByteQueue theirs = pending[s];
            int from = agree[r][s];
            int limit = Math.min(mine.size, theirs.size);
            if (from >= limit) {
                continue;
            }
            int mismatch = Arrays.mismatch(mine.buf, mine.head + from, mine.head + limit,
                    theirs.buf, theirs.head + from, theirs.head + limit);
            int common = mismatch < 0 ? limit : from + mismatch;
            agree[r][s] = common;
            agree[s][r] = common;
            if (mismatch >= 0) {
                split[r][s] = true;
                split[s][r] = true;
            }
        }
    }

    /** Releases the longest pending prefix on which enough replicas agree. */
    private byte[] release() {
        if (endAgreed || undecidable) {
            return EMPTY;
        }
        int best = 0;
        int winner = -1;
        int[] others = new int[replicas];
        for (int r = 0; r < replicas; r++) {
            int size = pending[r].size;
            if (!live(r) || size <= best) {
                continue;
            }
            int candidate;
            if (needed == 1) {
                candidate = size;
            } else {
                int k = 0;
                for (int s = 0; s < replicas; s++) {
                    if (s != r && live(s)) {
                        others[k++] = agree[r][s];
                    }
                }
                if (k < needed - 1) {
                    continue;
                }
                Arrays.sort(others, 0, k);
                candidate = Math.min(size, others[k - (needed - 1)]);
            }
            if (candidate > best) {
                best = candidate;
                winner = r;
            }
        }
        if (best == 0) {
            return EMPTY;
        }
        ByteQueue reference = pending[winner];
        for (int r = 0; r < replicas; r++) {
            if (r == winner || !live(r) || pending[r].size == 0) {
                continue;
            }
            int common = agree[r][winner];
            if (common < Math.min(pending[r].size, best)) {
                // Expected: only what f+1 agreed on; the winner's bytes past 'best' are its own so far.
                diverge(r, released + common, reference.copy(common, Math.min(SNIPPET, best - common)),
                        pending[r].copy(common, Math.min(SNIPPET, pending[r].size - common)),
                        "differs from the voted output");
            }
        }
        byte[] out = reference.copy(0, best);
        for (int r = 0; r < replicas; r++) {
            if (!live(r)) {
                continue;
            }
            for (int s = 0; s < replicas; s++) {
                if (s != r && live(s)) {
                    if (pending[r].size > best && pending[s].size > best) {
                        agree[r][s] -= best;
                    } else {
                        agree[r][s] = 0;
                        split[r][s] = false;
                    }
                }
            }
        }
        for (int r = 0; r < replicas; r++) {
            if (live(r)) {
                pending[r].drop(Math.min(best, pending[r].size));
            }
        }
        tail.append(out, 0, best);
        released += best;
        for (int r = 0; r < replicas; r++) {
            if (live(r) && ended[r] && received[r] < released) {
                int at = (int) (received[r] - tailBase);
                diverge(r, received[r], tail.copy(at, Math.min(SNIPPET, tail.size - at)), EMPTY, "ended early");
            }
        }
        return out;
    }

    /** Re-evaluates the end and decidability, drops bytes every live replica confirmed. */
    private void settle() {
        if (!endAgreed && !undecidable) {
            int atEnd = 0;
            for (int r = 0; r < replicas; r++) {
                if (live(r) && ended[r] && received[r] == released) {
                    atEnd++;
                }
            }
            if (atEnd >= needed) {
                endAgreed = true;
                for (int r = 0; r < replicas; r++) {
                    if (live(r) && pending[r].size > 0) {
                        diverge(r, released, EMPTY, pending[r].copy(0, Math.min(SNIPPET, pending[r].size)),
                                "continues past the agreed end");
                    }
                }
            } else if (!canStillAgree()) {
                undecidable = true;
                reportDisagreement();
                for (int r = 0; r < replicas; r++) {
                    pending[r].clear();
                }
            }
        }
        // Once undecidable nothing is compared any more, so released bytes need not be kept.
        long slowest = released;
        for (int r = 0; r < replicas && !undecidable; r++) {
            if (live(r)) {
                slowest = Math.min(slowest, received[r]);
            }
        }
        if (slowest > tailBase) {
            tail.drop((int) (slowest - tailBase));
            tailBase = slowest;
        }
        highWater = Math.max(highWater, retainedBytes());
    }

    /**
     * True while some future input could still release more bytes or agree on the end: either
     * enough replicas could end right here, or enough replicas form a chain of prefixes that
     * replicas which have not sent anything yet could still join.
     */
    private boolean canStillAgree() {
        int empty = 0;
        int open = 0;
        for (int r = 0; r < replicas; r++) {
            if (live(r) && pending[r].size == 0) {
                empty++;
                if (!ended[r]) {
                    open++;
                }
            }
        }
        if (empty >= needed) {
            return true;
        }
        for (int r = 0; r < replicas; r++) {
            if (!live(r) || pending[r].size == 0) {
                continue;
            }
            int chain = 1 + open;
            for (int s = 0; s < replicas; s++) {
                if (s != r && live(s) && pending[s].size > 0 && !split[r][s] && pending[s].size <= pending[r].size) {
                    chain++;
                }
            }
            if (chain >= needed) {
                return true;
            }
        }
        return false;
    }

    /** With no majority possible, says how each live replica differs from the lowest-numbered one. */
    private void reportDisagreement() {
        int ref = -1;
        for (int r = 0; r < replicas; r++) {
            if (live(r)) {
                ref = r;
                break;
            }
        }
        if (ref < 0) {
            return;
        }
        ByteQueue mine = pending[ref];
        for (int s = ref + 1; s < replicas; s++) {
            if (!live(s)) {
                continue;
            }
            ByteQueue theirs = pending[s];
            String why = null;
            int at = 0;
            if (split[ref][s]) {
                at = agree[ref][s];
                why = "differs from replica " + ref + " (no majority)";
            } else if (theirs.size != mine.size && (ended[ref] || ended[s])) {
                at = Math.min(mine.size, theirs.size);
                why = theirs.size > mine.size
                        ? "continues past the end of replica " + ref + " (no majority)"
                        : "ends before replica " + ref + " (no majority)";
            }
            if (why != null) {
                report(s, released + at, mine.copy(at, Math.min(SNIPPET, mine.size - at)),
                        theirs.copy(at, Math.min(SNIPPET, theirs.size - at)), why,
                        "replica " + ref + " wrote ", "replica " + s + " wrote ");
            }
        }
    }

    private void diverge(int r, long offset, byte[] expected, byte[] actual, String what) {
        faulty[r] = true;
        forget(r);
        report(r, offset, expected, actual, what);
    }

    private void report(int r, long offset, byte[] expected, byte[] actual, String what) {
        report(r, offset, expected, actual, what, "expected ", "got ");
    }

    private void report(int r, long offset, byte[] expected, byte[] actual, String what, String expectedLabel,
                        String actualLabel) {
        if (reported[r]) {
            return;
        }
        reported[r] = true;
        String description = "replica " + r + " " + what + " at byte " + offset + ": " + expectedLabel
                + text(expected) + " [" + HEX.formatHex(expected) + "], " + actualLabel + text(actual)
                + " [" + HEX.formatHex(actual) + "]";
        divergences.add(new Divergence(r, offset, HEX.formatHex(expected), HEX.formatHex(actual), description));
    }

    private void forget(int r) {
        pending[r].clear();
        for (int s = 0; s < replicas; s++) {
            agree[r][s] = 0;
            agree[s][r] = 0;
            split[r][s] = false;
            split[s][r] = false;
        }
    }

    /** Printable rendering of a snippet: EOF for nothing, C-style escapes for control bytes. */
    static String text(byte[] bytes) {
        if (bytes.length == 0) {
            return "EOF";
        }
        StringBuilder sb = new StringBuilder("\"");
        for (byte b : bytes) {
            int c = b & 0xff;
            if (c == '\n') {
                sb.append("\\n");
            } else if (c == '\r') {
                sb.append("\\r");
            } else if (c == '\t') {
                sb.append("\\t");
            } else if (c == '"' || c == '\\') {
                sb.append('\\').append((char) c);
            } else if (c >= 0x20 && c < 0x7f) {
                sb.append((char) c);
            } else {
                sb.append(String.format("\\x%02x", c));
            }
        }
        return sb.append('"').toString();
    }

    /** A FIFO of bytes in one array: appends at the back, drops from the front, compacts lazily. */
    private static final class ByteQueue {
        private static final int MIN_CAPACITY = 4096;
        byte[] buf = EMPTY;
        int head;
        int size;

        void append(byte[] data, int off, int len) {
            if (head + size + len > buf.length) {
                int needed = size + len;
                if (needed <= buf.length / 2 + buf.length / 4) {
                    System.arraycopy(buf, head, buf, 0, size);
                } else {
                    byte[] bigger = new byte[Math.max(MIN_CAPACITY, Math.max(needed, buf.length * 2))];
                    System.arraycopy(buf, head, bigger, 0, size);
                    buf = bigger;
                }
                head = 0;
            }
            System.arraycopy(data, off, buf, head + size, len);
            size += len;
        }

        void drop(int n) {
            head += n;
            size -= n;
            if (size == 0) {
                head = 0;
                if (buf.length > 1 << 20) {
                    // After a burst, give the memory back rather than hold the peak forever.
                    buf = EMPTY;
                }
            }
        }

        byte[] copy(int from, int len) {
            return Arrays.copyOfRange(buf, head + from, head + from + Math.max(0, len));
        }

        void clear() {
            buf = EMPTY;
            head = 0;
            size = 0;
        }
    }
}
